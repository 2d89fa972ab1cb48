/**
 * What beadWorkflow does around each turn besides calling the agent, added to the hand-written
 * workflows one at a time so the benchmark can say what each costs: search-attribute upserts
 * (Visibility.publish), a deadline timer raced against the turn (Effects.turn), and ledger writes
 * (LedgerSync: one background `recordBeadProgress` activity per change, first batch carrying the
 * bead and its definition, a bounded flush at the end).
 */
import { condition, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ResolvedDefinition } from '../../src/dsl/types';
import type { HistoryEntry } from '../../src/interpreter/types';
import type { BeadProgress, LedgerActivities } from '../../src/ledger/progress';
import type { Bead } from '../../src/shared/bead';
import { roleSlug } from '../../src/shared/roles';

export interface Extras {
  visibility?: boolean;
  timers?: boolean;
  ledger?: boolean;
}

export class ExtraWork {
  private published = false;
  private readonly entries: HistoryEntry[] = [];
  private sent = 0;
  private inFlight = false;
  private headerSent = false;
  private dirty = false;
  private looping = false;
  private readonly ledger = proxyActivities<LedgerActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: 30_000, nonRetryableErrorTypes: ['LedgerRejected'] },
  });

  constructor(
    private readonly extras: Extras,
    private readonly bead: Bead,
    private readonly definition: ResolvedDefinition,
  ) {}

  /** After every move: publish what changed, queue the new history rows for the ledger. */
  moved(node: string, role: string, rows: HistoryEntry[], status = 'running'): void {
    if (this.extras.visibility) {
      upsertSearchAttributes({
        ...(this.published ? {} : { BeadId: [this.bead.id], BeadType: [this.bead.type] }),
        BeadStatus: [status],
        CurrentNode: [node || '-'],
        RequiredRole: [role ? roleSlug(role) : '-'],
      });
      this.published = true;
    }
    if (this.extras.ledger) {
      this.entries.push(...rows);
      this.dirty = true;
      if (!this.looping) {
        this.looping = true;
        void this.loop();
      }
    }
  }

  /** Runs the turn, raced against a deadline timer when asked (as Effects.turn does). */
  async race<T>(timeoutMs: number, run: () => Promise<T>): Promise<T> {
    if (!this.extras.timers || timeoutMs <= 0) return run();
    let result: { value: T } | { error: unknown } | undefined;
    run().then(
      (value) => (result = { value }),
      (error: unknown) => (result = { error }),
    );
    if (!(await condition(() => result !== undefined, timeoutMs))) throw new Error('node timed out');
    if ('error' in result!) throw result.error;
    return result!.value;
  }

  /** The bounded flush at the end of a run (LedgerSync.settle). */
  async settle(): Promise<void> {
    if (this.extras.ledger) await condition(() => !this.dirty && !this.inFlight, 10_000);
  }

  private async loop(): Promise<void> {
    for (;;) {
      await condition(() => this.dirty);
      this.dirty = false;
      const batch = this.entries.slice(this.sent);
      this.inFlight = true;
      await this.ledger.recordBeadProgress(this.progress(batch)).catch(() => undefined);
      this.inFlight = false;
      this.headerSent = true;
      this.sent += batch.length;
    }
  }

  private progress(entries: HistoryEntry[]): BeadProgress {
    const info = workflowInfo();
    const last = entries[entries.length - 1];
    const execution = {
      executionId: info.firstExecutionRunId,
      beadId: this.bead.id,
      definitionId: this.definition.id,
      runId: info.runId,
      status: 'running' as const,
      currentNodeKey: last?.to ?? last?.node ?? '',
      cycleCount: 0,
      nodeAttemptCount: 1,
      dispatchCount: this.sent,
      lastSeq: last?.seq ?? 0,
      startedAt: info.startTime.getTime(),
    };
    if (this.headerSent) return { execution, entries };
    const { id, title, type, description, priority, labels, parentId } = this.bead;
    return { execution, entries, bead: { id, title, type, description, priority, labels, parentId }, definition: this.definition };
  }
}
