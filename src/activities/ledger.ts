/**
 * `recordBeadProgress`: writes a bead's batch to the ledger. Runs on the workflow task queue.
 * Unreachable database → the error propagates and Temporal retries (unlimited, capped backoff),
 * so the ledger catches up when it is back. A batch the database refuses as data (SQLSTATE
 * class 22 or 23) fails as non-retryable `LedgerRejected`: retrying cannot fix it. With no
 * ledger configured the activity acknowledges without writing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Ledger } from '../ledger/connect';
import type { BeadProgress, LedgerActivities, RecordResult } from '../ledger/progress';
import { recordProgress } from '../ledger/write-progress';
import { ERROR_TYPES } from '../shared/errors';

export function createLedgerActivities(ledger: Ledger | undefined): LedgerActivities {
  return {
    async recordBeadProgress(progress: BeadProgress): Promise<RecordResult> {
      if (!ledger) return { ackedSeq: progress.execution.lastSeq, inserted: 0, written: false };
      try {
        return await recordProgress(ledger.pool, progress);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (/^2[23]/.test(code)) {
          throw ApplicationFailure.nonRetryable(
            `the ledger refused bead ${progress.execution.beadId}'s batch (SQLSTATE ${code}): ${(err as Error).message}`,
            ERROR_TYPES.ledgerRejected,
          );
        }
        throw err;
      }
    },
  };
}

/** Registered on every workflow-queue worker, so a bead's ledger writes always have a handler. */
export const noLedgerActivities: LedgerActivities = createLedgerActivities(undefined);
