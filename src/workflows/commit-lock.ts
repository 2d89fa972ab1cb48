/**
 * commitLock: one singleton workflow per repository (id `commit-lock-<repo hash>`), started by
 * signal-with-start from the first bead that wants to commit. It grants the lock to one bead at a
 * time, in priority then arrival order, each grant with a fencing token; a durable timer enforces
 * the lease, and a periodic activity notices a holder whose workflow was terminated. The rules
 * live in LockBook (pure); this shell turns signals, timers and activity answers into calls on it.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { CommitActivities } from '../activities/git/types';
import type { CommitLockInput, Holder, LockRequest } from '../shared/commit-lock';
import { formatLease, LOCK_DEFAULTS } from '../shared/commit-lock';
import { LockBook } from './commit-lock-book';
import {
  lockGrantedSignal,
  lockRefusedSignal,
  lockStateQuery,
  releaseLockSignal,
  renewLockSignal,
  requestLockSignal,
} from './commit-lock-messages';
import { HOLDER_STATUS_OPTIONS } from './activity-options';

const { workflowStatus } = proxyActivities<CommitActivities>(HOLDER_STATUS_OPTIONS);

/** Below this a run would spend its history on continue-as-new rather than on grants. */
const MIN_EVENTS_PER_RUN = 20;

export async function commitLock(input: CommitLockInput): Promise<void> {
  const lockId = input.lockId || workflowInfo().workflowId;
  const capacity = positive(input.capacity) ?? LOCK_DEFAULTS.capacity;
  const holderCheckMs = positive(input.holderCheckMs) ?? LOCK_DEFAULTS.holderCheckMs;
  const eventsPerRun = Math.max(MIN_EVENTS_PER_RUN, positive(input.continueAsNewAfterEvents) ?? LOCK_DEFAULTS.continueAsNewAfterEvents);
  const generation = input.generation ?? 0;
  const book = new LockBook(input.carried);
  let changes = 0;
  let signalsInFlight = 0;

  /** Signals a bead without blocking the lock; `onFail` runs when the bead cannot be reached. */
  function tell<T>(
    to: { workflowId: string; runId?: string },
    signal: SignalDefinition<[T]>,
    payload: T,
    onFail?: (err: unknown) => void,
  ): void {
    signalsInFlight++;
    void getExternalWorkflowHandle(to.workflowId, to.runId)
      .signal(signal, payload)
      .catch((err: unknown) => onFail?.(err))
      .finally(() => {
        signalsInFlight--;
        changes++;
      });
  }

  function forced(message: string | undefined): void {
    if (message) log.warn(`commit lock: forced release: ${message}`, { lockId });
  }

  setHandler(requestLockSignal, (req: LockRequest) => {
    if (!req || typeof req.requestId !== 'string' || typeof req.workflowId !== 'string') {
      log.warn('commit lock: malformed request ignored', { lockId, request: req });
      return;
    }
    const verdict = book.request(req, Date.now(), positive(req.capacity) ?? capacity, input.repo);
    if (verdict.kind === 'queued')
      log.info(`commit lock: queued ${req.beadId} (${req.node}) at position ${verdict.position}`, { lockId, beadId: req.beadId });
    if (verdict.kind === 'refused') {
      log.warn(`commit lock: refused ${req.beadId}: ${verdict.reason}`, { lockId, beadId: req.beadId });
      tell(req, lockRefusedSignal, { requestId: req.requestId, reason: verdict.reason });
    }
    changes++;
  });

  setHandler(releaseLockSignal, (rel) => {
    const verdict = book.release(rel ?? { requestId: '' }, Date.now());
    if (verdict.kind === 'released') {
      log.info(
        `commit lock: released by ${verdict.holder.beadId} (token ${verdict.holder.token}, ${rel.reason ?? 'done'}, held for ${verdict.heldMs} ms)`,
        { lockId, heldMs: verdict.heldMs },
      );
    } else if (verdict.kind === 'withdrawn') {
      log.info(`commit lock: ${verdict.waiter.beadId} withdrew its request (${rel.reason ?? 'gave up'})`, { lockId });
    } else if (verdict.kind === 'stale') {
      log.warn(`commit lock: release ignored: ${verdict.why}`, { lockId });
    }
    changes++;
  });

  setHandler(renewLockSignal, (r) => {
    if (!book.renew(r?.requestId, r?.token, Date.now()))
      log.warn(`commit lock: renewal with token ${r?.token} ignored: it is not the holder's`, { lockId });
    changes++;
  });

  setHandler(lockStateQuery, () => book.snapshot({ lockId, repo: input.repo, capacity, generation }));

  function grant(holder: Holder, note: string | undefined): void {
    log.info(
      `commit lock: acquired by ${holder.beadId} (${holder.node}, token ${holder.token}, lease ${formatLease(holder.leaseMs)}, waited ${holder.grantedAt - holder.queuedAt} ms)`,
      { lockId, token: holder.token },
    );
    const payload = {
      requestId: holder.requestId,
      token: holder.token,
      lockId,
      leaseMs: holder.leaseMs,
      grantedAt: holder.grantedAt,
      note,
    };
    tell(holder, lockGrantedSignal, payload, (err) =>
      forced(book.holderGone(holder.requestId, `its workflow could not be told of the grant: ${messageOf(err)}`, Date.now())),
    );
  }

  /** Asks whether the holder's workflow still runs; a closed one will never release. */
  async function checkHolder(holder: Holder): Promise<void> {
    let status: string;
    try {
      status = await workflowStatus({ workflowId: holder.workflowId, runId: holder.runId });
    } catch (err) {
      log.warn(`commit lock: could not check holder ${holder.beadId}: ${messageOf(err)}; the lease still applies`, { lockId });
      return;
    }
    if (status !== 'RUNNING' && book.holder?.requestId === holder.requestId) {
      forced(book.holderGone(holder.requestId, `its workflow is ${status.toLowerCase().replace(/_/g, ' ')}`, Date.now()));
    }
  }

  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= eventsPerRun;

  for (;;) {
    const granted = book.grantNext(Date.now());
    if (granted) {
      grant(granted.holder, granted.note);
      continue;
    }
    if (shouldContinueAsNew()) {
      await condition(() => signalsInFlight === 0 && allHandlersFinished());
      if (!book.holder && book.state.waiters.length > 0) continue; // a release came in while we waited: grant first
      log.info(`commit lock: continuing as new (generation ${generation + 1}, ${book.state.waiters.length} waiting)`, { lockId });
      return continueAsNew<typeof commitLock>({ ...input, lockId, carried: book.state, generation: generation + 1 });
    }
    const seen = changes;
    const holder = book.holder;
    if (!holder) {
      await condition(() => changes !== seen);
      continue;
    }
    const untilLease = holder.leaseUntil - Date.now();
    if (untilLease <= 0) {
      forced(book.expire(Date.now()));
      continue;
    }
    const woke = await condition(() => changes !== seen, Math.min(untilLease, holderCheckMs));
    if (!woke && Date.now() < holder.leaseUntil && book.holder === holder) await checkHolder(holder);
  }
}

function positive(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function messageOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && (e as { cause?: unknown }).cause instanceof Error) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(err);
}
