/**
 * The commit lock's contract: one `commitLock` workflow per repository serializes commits.
 * Names (signals, query) and plain-JSON shapes shared by the lock workflow, the bead side, the
 * git activities and the CLI. Pure: no I/O, safe in workflow code.
 */
import { DEFAULTS } from '../dsl/types';

export const COMMIT_LOCK_WORKFLOW = 'commitLock';

/** Signals to the lock, and the answers it signals back to the requesting bead. */
export const LOCK_SIGNALS = {
  request: 'requestLock',
  release: 'releaseLock',
  renew: 'renewLock',
  granted: 'lockGranted',
  refused: 'lockRefused',
} as const;

export const LOCK_STATE_QUERY = 'lockState';

export const LOCK_DEFAULTS = {
  /** Waiters the queue holds; a request beyond it is refused. */
  capacity: 100,
  /** How long a holder keeps the lock without renewing (the commit activity renews); = a commit node's default lease. */
  leaseMs: DEFAULTS.leaseMs,
  /** How often the lock checks that its holder's workflow still runs (a terminated holder never releases). */
  holderCheckMs: 30_000,
  continueAsNewAfterEvents: 2_000,
} as const;

/** A bead asking for the lock (one per commit attempt; `requestId` makes retries idempotent). */
export interface LockRequest {
  requestId: string;
  beadId: string;
  /** The requester's workflow: grants and refusals are signalled to this run. */
  workflowId: string;
  runId?: string;
  node: string;
  /** P0..P4: lower first; none counts as P2 (the default priority of a bead). */
  priority?: string;
  leaseMs?: number;
  /** The requester's queue limit (RunOptions.lock.capacity); else the lock's own. */
  capacity?: number;
}

export interface LockGrant {
  requestId: string;
  /** Fencing token: grows with every grant, across continue-as-new. */
  token: number;
  lockId: string;
  leaseMs: number;
  grantedAt: number;
  /** Set when the previous holder lost the lock by force (lease expired, workflow gone). */
  note?: string;
}

export interface LockRefusal {
  requestId: string;
  reason: string;
}

/** Release by the holder, or withdrawal of a request still queued (same signal, keyed by requestId). */
export interface LockRelease {
  requestId: string;
  token?: number;
  /** done, failed, cancelled, withdrawn: for the log. */
  reason?: string;
}

export interface LockRenewal {
  requestId: string;
  token: number;
}

export type HoldEnd = 'released' | 'expired' | 'holder-gone';

export interface Waiter extends LockRequest {
  seq: number;
  rank: number;
  queuedAt: number;
}

export interface Holder extends Waiter {
  token: number;
  grantedAt: number;
  leaseMs: number;
  leaseUntil: number;
}

export interface HoldRecord {
  beadId: string;
  node: string;
  token: number;
  grantedAt: number;
  /** When this hold ended: the next grant can follow from here (hand-off latency). */
  releasedAt: number;
  how: HoldEnd;
}

/** Everything the lock remembers; carried whole across continue-as-new. */
export interface LockBookState {
  nextToken: number;
  nextSeq: number;
  holder?: Holder;
  waiters: Waiter[];
  /** Recently finished request ids: a late or repeated request for them is ignored. */
  finished: string[];
  warnings: Array<{ at: number; message: string }>;
  holds: HoldRecord[];
  /** Told to the next holder: why the previous one lost the lock. */
  pendingNote?: string;
  stats: { granted: number; released: number; forced: number; refused: number; withdrawn: number };
}

export interface CommitLockInput {
  lockId: string;
  /** The repository the pushes land in (normalized path or URL). */
  repo: string;
  capacity?: number;
  holderCheckMs?: number;
  continueAsNewAfterEvents?: number;
  /** Set by continue-as-new. */
  carried?: LockBookState;
  generation?: number;
}

/** Answer of the `lockState` query. Times are epoch ms. */
export interface LockState {
  lockId: string;
  repo: string;
  holder?: {
    beadId: string;
    workflowId: string;
    node: string;
    requestId: string;
    priority?: string;
    token: number;
    heldSince: number;
    leaseMs: number;
    leaseExpiresAt: number;
  };
  /** Last token issued (0 = none yet). */
  token: number;
  waiters: Array<{
    position: number;
    beadId: string;
    workflowId: string;
    node: string;
    requestId: string;
    priority?: string;
    queuedAt: number;
  }>;
  capacity: number;
  warnings: Array<{ at: number; message: string }>;
  recentHolds: HoldRecord[];
  /** Continue-as-new count of this lock. */
  generation: number;
  stats: LockBookState['stats'];
}

/** P0 → 0 … P4 → 4; anything else is treated as P2. */
export function priorityRank(priority: string | undefined): number {
  const m = /^P([0-4])$/i.exec(priority ?? '');
  return m ? Number(m[1]) : 2;
}

/** 300000 → "5m", 1500 → "1.5s", 90000 → "1m30s". For messages people read. */
export function formatLease(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}
