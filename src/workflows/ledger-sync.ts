/**
 * Keeps the PostgreSQL ledger in step with a bead, without ever holding the bead back. The
 * workflow calls `notify()` after each state change; a background loop sends the entries after
 * the last acknowledged seq plus an execution snapshot to `recordBeadProgress` (retried without
 * limit, capped backoff). While one write is in flight, later changes pile up and go in the next
 * batch. At the end (and before continue-as-new) `settle()` waits a bounded time for the flush;
 * whatever is still unsent goes to an abandoned `ledgerCatchUp` child that retries until the
 * ledger is back. Behind `patched()` so histories recorded before the ledger still replay.
 *
 * Writes are batched off the hot path: a write is due when the bead stops to wait (an approval,
 * an escalation, a backoff via `flush()`, the end), when 64 entries are pending, or at the first
 * change `ledger.batchMs` (2 s) after the previous write. A bead of fast turns writes at its start and its end; a
 * bead of slow turns writes at each turn's start. Runs recorded before batching write at every
 * change, as they did.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  condition,
  isCancellation,
  log,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ResolvedDefinition } from '../dsl/types';
import type { HistoryEntry, Interpreter } from '../interpreter';
import type { BeadProgress, LedgerActivities } from '../ledger/progress';
import { executionSnapshot, ledgerBead, takeBatch } from '../ledger/progress';
import type { Bead } from '../shared/bead';
import type { CompiledRunOptions } from '../shared/run-options';
import { ledgerOptions } from './activity-options';
import { hasPatch } from './patches';

export const LEDGER_PATCH = 'beadflow-ledger-sync';
const LEDGER_BATCH_PATCH = 'ledger-batched';
/** A cancelled bead keeps writing (its closing rows go straight to the ledger, not to ledgerCatchUp). */
const LEDGER_AFTER_CANCEL_PATCH = 'ledger-after-cancel';
/** Pending entries that make a write due on their own. */
const BATCH_ENTRIES = 64;
/** The write activity (options in activity-options.ts). */
export function ledgerActivities(retryMaxIntervalMs?: number): LedgerActivities {
  return proxyActivities<LedgerActivities>(ledgerOptions(retryMaxIntervalMs));
}

export interface CatchUpInput {
  batches: BeadProgress[];
  retryMaxIntervalMs?: number;
}

export class LedgerSync {
  private readonly enabled: boolean;
  private readonly batched: boolean;
  private lastWriteAt = -Infinity;
  /** Set by `flush()` and `settle()`: the next change writes at once. */
  private urgent = false;
  private readonly activities: LedgerActivities;
  /** Entries seen but not acknowledged, oldest first (a prefix is in flight). */
  private pending: HistoryEntry[] = [];
  /** Highest seq copied into `pending` (or covered by the previous run). */
  private seen: number;
  private dirty = false;
  private inFlight = false;
  private looping = false;
  private closed = false;
  /** The bead and definition rows go with the first batch that gets through. */
  private headerSent = false;
  private completedAt?: number;

  constructor(
    private readonly interp: Interpreter,
    private readonly bead: Bead,
    private readonly definition: ResolvedDefinition,
    private readonly options: CompiledRunOptions,
    /** Seq the previous run (continue-as-new) already sent or handed off; 0 for a fresh bead. */
    coveredSeq: number,
  ) {
    this.enabled = hasPatch(LEDGER_PATCH);
    this.batched = this.enabled && hasPatch(LEDGER_BATCH_PATCH);
    this.activities = ledgerActivities(options.ledger.retryMaxIntervalMs);
    this.seen = coveredSeq;
  }

  /** Seq up to which this run has sent or handed off everything (for continue-as-new). */
  get coveredSeq(): number {
    return this.seen;
  }

  /** Call after every state change; cheap and never waits. */
  notify(): void {
    if (!this.enabled || this.closed) return;
    const s = this.interp.state;
    if (s.historyTotal > this.seen) {
      // History is ordered by seq: find the first new entry from the end.
      let i = s.history.length;
      while (i > 0 && s.history[i - 1].seq > this.seen) i--;
      this.pending.push(...s.history.slice(i));
      this.seen = s.historyTotal;
    }
    if (s.endReason !== undefined && this.completedAt === undefined) this.completedAt = Date.now();
    this.dirty = true;
    if (!this.looping) {
      this.looping = true;
      void this.loop();
    }
  }

  /** The bead is about to wait (a backoff): send what is pending now rather than after the wait. */
  flush(): void {
    if (!this.enabled || this.closed) return;
    this.urgent = true;
    this.notify();
  }

  /** Waits (bounded) until the ledger has everything; otherwise hands the rest to `ledgerCatchUp`. */
  async settle(): Promise<void> {
    if (!this.enabled || this.closed) return;
    this.urgent = true;
    this.notify();
    const flushed = await condition(() => !this.dirty && !this.inFlight && this.pending.length === 0, this.options.ledger.flushTimeoutMs);
    this.closed = true;
    if (!flushed) await this.handOff();
  }

  private async loop(): Promise<void> {
    for (;;) {
      try {
        await condition(() => (this.dirty && this.due()) || this.closed);
      } catch (err) {
        // A cancelled bead: stop quietly. An unhandled rejection here would fail every workflow
        // task of the cancellation, and with it the commands that clean up (the lock release).
        if (isCancellation(err)) return this.restartAfterCancel();
        throw err;
      }
      if (this.closed) return;
      this.dirty = false;
      this.lastWriteAt = Date.now();
      const entries = takeBatch(this.pending);
      this.inFlight = true;
      try {
        await this.activities.recordBeadProgress(this.progress(entries));
        this.headerSent = true;
      } catch (err) {
        if (isCancellation(err)) return this.restartAfterCancel();
        log.warn('ledger refused a batch; dropping it', { beadId: this.bead.id, firstSeq: entries[0]?.seq, error: String(err) });
      } finally {
        this.inFlight = false;
      }
      this.pending = this.pending.slice(entries.length);
      if (this.pending.length > 0) this.dirty = true;
      else if (!this.dirty) this.urgent = false;
    }
  }

  /**
   * The bead was cancelled under the loop. Without a loop, `settle()` would wait out its whole
   * bound and hand every closing row to ledgerCatchUp; so the loop starts again where the
   * cancellation cannot reach it, the cancelled batch (still pending) first.
   */
  private restartAfterCancel(): void {
    // Without the patch `looping` stays set, as runs recorded before it expect (no loop restarts).
    if (this.closed || !hasPatch(LEDGER_AFTER_CANCEL_PATCH)) return;
    if (this.pending.length > 0) this.dirty = true;
    void CancellationScope.nonCancellable(() => this.loop());
  }

  private due(): boolean {
    if (!this.batched || this.urgent || this.pending.length >= BATCH_ENTRIES) return true;
    const s = this.interp.state;
    if (s.status === 'waiting_approval' || s.status === 'escalated' || s.endReason !== undefined) return true;
    return Date.now() - this.lastWriteAt >= this.options.ledger.batchMs;
  }

  private progress(entries: HistoryEntry[]): BeadProgress {
    const info = workflowInfo();
    const execution = executionSnapshot(this.interp.state, {
      executionId: info.firstExecutionRunId,
      runId: info.runId,
      startedAt: info.startTime.getTime(),
      completedAt: this.completedAt,
    });
    return this.headerSent ? { execution, entries } : { execution, entries, bead: ledgerBead(this.bead), definition: this.definition };
  }

  /** One child per payload-sized chunk, each started before this run may close. */
  private async handOff(): Promise<void> {
    const batches: BeadProgress[] = [];
    let rest = this.pending;
    do {
      const entries = takeBatch(rest);
      batches.push(this.progress(entries));
      rest = rest.slice(entries.length);
    } while (rest.length > 0);
    const info = workflowInfo();
    log.warn('ledger unreachable at the end of a run; handing the unsent rows to ledgerCatchUp', {
      beadId: this.bead.id,
      entries: this.pending.length,
    });
    // One child per few batches: each child's input must stay under the payload limit too.
    for (let i = 0; i < batches.length; i += 4) {
      try {
        await startChild('ledgerCatchUp', {
          workflowId: `ledger-catchup-${info.firstExecutionRunId}-${this.seen}-${i}`,
          args: [{ batches: batches.slice(i, i + 4), retryMaxIntervalMs: this.options.ledger.retryMaxIntervalMs } satisfies CatchUpInput],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (err) {
        // Never fail the bead over its ledger rows (e.g. that catch-up id already exists).
        log.error('could not start ledgerCatchUp; these ledger rows are lost', { beadId: this.bead.id, error: String(err) });
      }
    }
  }
}
