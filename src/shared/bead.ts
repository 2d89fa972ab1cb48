import type { ResolvedDefinition } from '../dsl/types';

export const PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** node_key → outcomes, one per dispatch of that node (the last one repeats). */
export type Scenario = Record<string, string[]>;

export interface Bead {
  id: string;
  title: string;
  type: string;
  description: string;
  priority: Priority;
  labels: string[];
  /** Target git repository (path or URL); none = commit nodes commit nothing. */
  repo?: string;
  /** Branch the bead's work lands on (default: the repository's current branch). */
  targetBranch?: string;
  /** Scripted agents' outcomes for this bead; travels in the input so any worker can run it. */
  scenario?: Scenario;
  /** Set on CEO-decision child beads. */
  parentId?: string;
}

/** Knobs that tests and operators set per run; all optional with production defaults. */
export interface RunOptions {
  /** Prefix of role task queues (default `beadflow-role-`); tests use a unique one. */
  roleQueuePrefix?: string;
  /** Continue-as-new after this many history events even if Temporal does not suggest it. */
  continueAsNewAfterEvents?: number;
  /** Task queue for child beads and the commit lock (default: the bead's own). */
  workflowTaskQueue?: string;
  /** Heartbeat timeout of agent turns (default 30 s): how fast a crashed worker's turn is retried and a cancellation reaches it. */
  heartbeatTimeoutMs?: number;
  /** Temporal-level retries of a turn's activity before it counts as one failed attempt (default 5). */
  turnRetryAttempts?: number;
  /**
   * Commit lock: queue capacity (default 100), lease (overrides the commit node's, default 5 min),
   * how often the lock checks its holder still runs (default 30 s), and its continue-as-new
   * threshold (default 2000 events). All but capacity and lease apply when a request starts the lock.
   */
  lock?: { capacity?: number; leaseMs?: number; holderCheckMs?: number; continueAsNewAfterEvents?: number };
  /** Ledger writes: backoff cap of the retried write (default 30 s), and how long a bead's end waits
   * for the ledger before handing the unsent rest to a `ledgerCatchUp` workflow (default 10 s), and the
   * least time between two writes while the bead runs (default 2 s; waits and the end write at once). */
  ledger?: { retryMaxIntervalMs?: number; flushTimeoutMs?: number; batchMs?: number };
}

export interface BeadInput {
  bead: Bead;
  definition: ResolvedDefinition;
  options?: RunOptions;
}
