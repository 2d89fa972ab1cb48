/**
 * What a bead's workflow sends to the ledger: the history entries after the last acknowledged
 * seq plus a snapshot of the execution. Pure (types and plain functions): workflow code builds
 * these, the `recordBeadProgress` activity writes them.
 *
 * Idempotence rules the writer relies on: history rows are keyed by (execution id, seq) and never
 * rewritten; a snapshot only replaces an older one (ordered by `lastSeq`, then `dispatchCount`,
 * both monotonic over a bead's life), so a retried or late batch can never move a row backwards.
 */
import type { ResolvedDefinition } from '../dsl/types';
import type { BeadStatus, HistoryEntry, InterpreterState } from '../interpreter/types';
import type { Bead } from '../shared/bead';

/** The bead's columns in the ledger (no scenario: it is test data, not a record). */
export type LedgerBead = Pick<Bead, 'id' | 'title' | 'type' | 'description' | 'priority' | 'labels' | 'parentId'>;

export interface ExecutionSnapshot {
  /** Temporal's first run id of the bead's execution chain: stable across continue-as-new. */
  executionId: string;
  beadId: string;
  /** Definition id (column `workflow_id` in the ledger, Loom's name; view `executions` calls it `definition_id`). */
  definitionId: string;
  /** The same, as runs recorded before the rename sent it: read when `definitionId` is absent. */
  workflowId?: string;
  /** The current Temporal run (changes on continue-as-new). */
  runId: string;
  status: BeadStatus;
  currentNodeKey: string;
  cycleCount: number;
  nodeAttemptCount: number;
  dispatchCount: number;
  /** Highest history seq recorded so far: orders snapshots. */
  lastSeq: number;
  startedAt: number;
  /** Set once the run has ended (any final status, including an escalated end). */
  completedAt?: number;
  escalatedAt?: number;
  escalationReason?: string;
  endReason?: string;
}

export interface BeadProgress {
  execution: ExecutionSnapshot;
  entries: HistoryEntry[];
  /** Sent with a run's first batch: the bead's row and the definition's rows are upserted. */
  bead?: LedgerBead;
  definition?: ResolvedDefinition;
}

export interface RecordResult {
  /** Highest seq the ledger now holds for this batch (the batch's last, or the snapshot's). */
  ackedSeq: number;
  /** History rows inserted (0 for a replayed batch). */
  inserted: number;
  /** False when no ledger is configured: nothing was written, everything counts as sent. */
  written: boolean;
}

/** Activities on the workflow task queue; workflow code imports this as a type only. */
export interface LedgerActivities {
  recordBeadProgress(progress: BeadProgress): Promise<RecordResult>;
}

/** Bead status in the ledger, from the run's status (the backlog's words: open, in_progress, ...). */
export type LedgerBeadStatus = 'open' | 'in_progress' | 'in_review' | 'blocked' | 'closed';

export const LEDGER_BEAD_STATUSES: readonly LedgerBeadStatus[] = ['open', 'in_progress', 'in_review', 'blocked', 'closed'];

export function beadStatusFor(status: BeadStatus): LedgerBeadStatus {
  switch (status) {
    case 'running':
      return 'in_progress';
    case 'waiting_approval':
      return 'in_review';
    case 'escalated':
    case 'failed':
    case 'aborted':
      // A person has to look: failed and aborted runs are not retried by the backlog loop.
      return 'blocked';
    case 'completed':
    case 'cancelled':
      return 'closed';
  }
}

export function ledgerBead(bead: Bead): LedgerBead {
  return {
    id: bead.id,
    title: bead.title,
    type: bead.type,
    description: bead.description,
    priority: bead.priority,
    labels: bead.labels,
    parentId: bead.parentId,
  };
}

export interface SnapshotIds {
  executionId: string;
  runId: string;
  startedAt: number;
  /** Workflow time at which the run was seen ending, if it has. */
  completedAt?: number;
}

export function executionSnapshot(state: InterpreterState, ids: SnapshotIds): ExecutionSnapshot {
  const esc = state.escalation;
  return {
    executionId: ids.executionId,
    beadId: state.beadId,
    definitionId: state.definitionId,
    runId: ids.runId,
    status: state.status,
    currentNodeKey: state.currentNode,
    cycleCount: state.cycleCount,
    nodeAttemptCount: state.attempts,
    dispatchCount: state.dispatchCount,
    lastSeq: state.historyTotal,
    startedAt: ids.startedAt,
    completedAt: ids.completedAt,
    escalatedAt: esc?.at,
    escalationReason: esc ? `${esc.reason}: ${esc.detail}` : undefined,
    endReason: state.endReason,
  };
}

/** Longest summary the ledger keeps; an agent's essay would otherwise blow the activity's payload limit. */
export const MAX_SUMMARY_CHARS = 32_000;

/** Entries in order, cut so one activity's input stays far below Temporal's 2 MB payload limit. */
export function takeBatch(pending: readonly HistoryEntry[], maxEntries = 200, maxChars = 256_000): HistoryEntry[] {
  const batch: HistoryEntry[] = [];
  let chars = 0;
  for (const entry of pending) {
    const fitted =
      entry.summary.length > MAX_SUMMARY_CHARS ? { ...entry, summary: `${entry.summary.slice(0, MAX_SUMMARY_CHARS)} [truncated]` } : entry;
    const size = fitted.summary.length + 200;
    if (batch.length > 0 && (batch.length >= maxEntries || chars + size > maxChars)) break;
    batch.push(fitted);
    chars += size;
  }
  return batch;
}
