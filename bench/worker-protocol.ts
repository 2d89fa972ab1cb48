/** Messages between the benchmark and its worker process (child_process IPC). */

export interface WorkerConfig {
  address: string;
  namespace: string;
  workflowTaskQueue: string;
  roleQueuePrefix: string;
  roles: string[];
  /** Agent turns at once per role (as `npm run worker --concurrency`). */
  activityConcurrency: number;
  /** Sticky cache size (as `npm run worker --cache`); 0 turns sticky execution off. */
  maxCachedWorkflows: number;
  /** Ledger as `npm run worker` opens it: off, or PostgreSQL at this URL (the bench starts an embedded one). */
  ledgerUrl?: string;
}

/** One agent turn as the activity saw it: epoch ms with sub-ms precision, same clock as the bench. */
export interface TurnRecord {
  beadId: string;
  node: string;
  start: number;
  end: number;
  /** No-op commits (lock section): the fencing token granted. */
  token?: number;
  /** The turn's input, kept only when asked (equivalence check). */
  input?: unknown;
}

export interface MemoryFigures {
  rssBytes: number;
  heapUsedBytes: number;
  /** V8 heap reserved (used + free). */
  heapTotalBytes: number;
  /** Memory of C++ objects bound to JS (the Temporal core bridge's buffers among them). */
  externalBytes: number;
}

export type ToWorker =
  | { kind: 'start'; config: WorkerConfig }
  | { kind: 'drain'; id: number }
  | { kind: 'keep-inputs'; id: number; beadIds: string[] }
  | { kind: 'memory'; id: number }
  | { kind: 'stop'; id: number };

export type FromWorker =
  /** firstPollAt: epoch ms at which every worker of the set was RUNNING (polling). */
  | { kind: 'ready'; pid: number; bundleMs: number; firstPollAt: number }
  | { kind: 'failed'; message: string }
  | { kind: 'reply'; id: number; turns?: TurnRecord[]; memory?: MemoryFigures };
