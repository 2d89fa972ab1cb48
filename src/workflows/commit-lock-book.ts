/**
 * The commit lock's rules, with no Temporal in sight: who waits in which order, who holds the
 * lock with which fencing token, when a lease has run out. The `commitLock` workflow feeds it
 * signals and timer firings and acts on what it returns; unit tests drive it directly.
 */
import type { Holder, HoldEnd, LockBookState, LockRelease, LockRequest, LockState, Waiter } from '../shared/commit-lock';
import { formatLease, LOCK_DEFAULTS, priorityRank } from '../shared/commit-lock';

const KEEP_FINISHED = 500;
const KEEP_WARNINGS = 20;
const KEEP_HOLDS = 50;

export type RequestVerdict = { kind: 'queued'; position: number } | { kind: 'duplicate' } | { kind: 'refused'; reason: string };

export type ReleaseVerdict =
  | { kind: 'released'; holder: Holder; heldMs: number }
  | { kind: 'withdrawn'; waiter: Waiter }
  | { kind: 'stale'; why: string }
  | { kind: 'unknown' };

export function emptyBook(): LockBookState {
  return {
    nextToken: 1,
    nextSeq: 1,
    waiters: [],
    finished: [],
    warnings: [],
    holds: [],
    stats: { granted: 0, released: 0, forced: 0, refused: 0, withdrawn: 0 },
  };
}

export class LockBook {
  readonly state: LockBookState;

  constructor(state?: LockBookState) {
    this.state = state ?? emptyBook();
  }

  get holder(): Holder | undefined {
    return this.state.holder;
  }

  /** Queues a request in priority order (P0 first), then arrival; refuses it when the queue is full. */
  request(req: LockRequest, now: number, capacity: number, repo: string): RequestVerdict {
    const s = this.state;
    if (
      s.holder?.requestId === req.requestId ||
      s.waiters.some((w) => w.requestId === req.requestId) ||
      s.finished.includes(req.requestId)
    ) {
      return { kind: 'duplicate' };
    }
    if (s.waiters.length >= capacity) {
      s.stats.refused++;
      this.finish(req.requestId);
      return {
        kind: 'refused',
        reason: `commit queue of ${repo} is full: ${s.waiters.length} commits already waiting (capacity ${capacity}); bead ${req.beadId} was not queued. Retry later or raise RunOptions.lock.capacity`,
      };
    }
    const waiter: Waiter = { ...req, seq: s.nextSeq++, rank: priorityRank(req.priority), queuedAt: now };
    const at = s.waiters.findIndex((w) => w.rank > waiter.rank || (w.rank === waiter.rank && w.seq > waiter.seq));
    const index = at === -1 ? s.waiters.length : at;
    s.waiters.splice(index, 0, waiter);
    return { kind: 'queued', position: index + 1 };
  }

  /** When the lock is free: hands it to the first waiter with the next fencing token. */
  grantNext(now: number, defaultLeaseMs: number = LOCK_DEFAULTS.leaseMs): { holder: Holder; note?: string } | undefined {
    const s = this.state;
    if (s.holder || s.waiters.length === 0) return undefined;
    const waiter = s.waiters.shift()!;
    const leaseMs = waiter.leaseMs && waiter.leaseMs > 0 ? waiter.leaseMs : defaultLeaseMs;
    const holder: Holder = { ...waiter, token: s.nextToken++, grantedAt: now, leaseMs, leaseUntil: now + leaseMs };
    s.holder = holder;
    s.stats.granted++;
    const note = s.pendingNote;
    s.pendingNote = undefined;
    return { holder, note };
  }

  /** The holder releases, or a waiter withdraws. A token that is not the holder's changes nothing. */
  release(rel: LockRelease, now: number): ReleaseVerdict {
    const s = this.state;
    const holder = s.holder;
    if (holder && holder.requestId === rel.requestId) {
      if (rel.token !== undefined && rel.token !== holder.token)
        return { kind: 'stale', why: `token ${rel.token} is not the holder's (${holder.token})` };
      this.endHold('released', now);
      s.stats.released++;
      return { kind: 'released', holder, heldMs: now - holder.grantedAt };
    }
    const i = s.waiters.findIndex((w) => w.requestId === rel.requestId);
    this.finish(rel.requestId);
    if (i >= 0) {
      const [waiter] = s.waiters.splice(i, 1);
      s.stats.withdrawn++;
      return { kind: 'withdrawn', waiter };
    }
    if (rel.token !== undefined) return { kind: 'stale', why: `request ${rel.requestId} (token ${rel.token}) no longer holds the lock` };
    return { kind: 'unknown' };
  }

  /** Extends the holder's lease from now; false when the token is no longer current. */
  renew(requestId: string, token: number, now: number): boolean {
    const h = this.state.holder;
    if (!h || h.requestId !== requestId || h.token !== token) return false;
    h.leaseUntil = now + h.leaseMs;
    return true;
  }

  /** The lease ran out: the holder loses the lock; returns the warning, also told to the next holder. */
  expire(now: number): string | undefined {
    const h = this.state.holder;
    if (!h || now < h.leaseUntil) return undefined;
    return this.force('expired', `Previous commit by ${h.beadId} timed out after ${formatLease(h.leaseMs)}`, now);
  }

  /** The holder's workflow is gone (terminated, failed, never reachable): free the lock now. */
  holderGone(requestId: string, why: string, now: number): string | undefined {
    const h = this.state.holder;
    if (!h || h.requestId !== requestId) return undefined;
    return this.force('holder-gone', `Previous commit by ${h.beadId} ended without releasing the lock (${why})`, now);
  }

  snapshot(meta: { lockId: string; repo: string; capacity: number; generation: number }): LockState {
    const s = this.state;
    const h = s.holder;
    return {
      ...meta,
      holder: h && {
        beadId: h.beadId,
        workflowId: h.workflowId,
        node: h.node,
        requestId: h.requestId,
        priority: h.priority,
        token: h.token,
        heldSince: h.grantedAt,
        leaseMs: h.leaseMs,
        leaseExpiresAt: h.leaseUntil,
      },
      token: s.nextToken - 1,
      waiters: s.waiters.map((w, i) => ({
        position: i + 1,
        beadId: w.beadId,
        workflowId: w.workflowId,
        node: w.node,
        requestId: w.requestId,
        priority: w.priority,
        queuedAt: w.queuedAt,
      })),
      warnings: [...s.warnings],
      recentHolds: [...s.holds],
      stats: { ...s.stats },
    };
  }

  private force(how: HoldEnd, message: string, now: number): string {
    const s = this.state;
    this.endHold(how, now);
    s.stats.forced++;
    s.warnings.push({ at: now, message });
    if (s.warnings.length > KEEP_WARNINGS) s.warnings.splice(0, s.warnings.length - KEEP_WARNINGS);
    s.pendingNote = message;
    return message;
  }

  private endHold(how: HoldEnd, now: number): void {
    const s = this.state;
    const h = s.holder!;
    s.holds.push({ beadId: h.beadId, node: h.node, token: h.token, grantedAt: h.grantedAt, releasedAt: now, how });
    if (s.holds.length > KEEP_HOLDS) s.holds.splice(0, s.holds.length - KEEP_HOLDS);
    this.finish(h.requestId);
    s.holder = undefined;
  }

  private finish(requestId: string): void {
    const f = this.state.finished;
    if (!f.includes(requestId)) f.push(requestId);
    if (f.length > KEEP_FINISHED) f.splice(0, f.length - KEEP_FINISHED);
  }
}
