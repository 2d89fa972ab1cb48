/**
 * `ledgerCatchUp`: the unsent tail of a bead's ledger rows, handed over when the bead ended (or
 * continued as new) while the ledger was down. Abandoned by its parent, it retries each batch
 * until the ledger takes it, so a bead's end never waits on the database.
 */
import { isCancellation, log } from '@temporalio/workflow';
import type { CatchUpInput } from './ledger-sync';
import { ledgerActivities } from './ledger-sync';

export async function ledgerCatchUp(input: CatchUpInput): Promise<{ batches: number; inserted: number; refused: number }> {
  const { recordBeadProgress } = ledgerActivities(input.retryMaxIntervalMs);
  let inserted = 0;
  let refused = 0;
  for (const batch of input.batches) {
    try {
      inserted += (await recordBeadProgress(batch)).inserted;
    } catch (err) {
      // Only a batch the database refuses lands here (retries are unlimited): keep the others.
      if (isCancellation(err)) throw err;
      refused++;
      log.warn('ledger refused a batch; dropping it', { beadId: batch.execution.beadId, error: String(err) });
    }
  }
  return { batches: input.batches.length, inserted, refused };
}
