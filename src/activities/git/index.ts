/**
 * The commit activities (workspace, lock request, commit, holder check, clean-up). They need a
 * Temporal client (signal-with-start, the fencing query, lease renewals), so a worker builds them
 * with one and registers them on the workflow task queue (`WorkerSet({ workflowQueueActivities })`):
 * commit nodes and the lock run their activities there, next to the workflows.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { LockRelease, LockRenewal, LockState } from '../../shared/commit-lock';
import { COMMIT_LOCK_WORKFLOW, LOCK_SIGNALS, LOCK_STATE_QUERY } from '../../shared/commit-lock';
import type { commitLock } from '../../workflows/commit-lock';
import { cleanupWorkspace } from './cleanup';
import { commitWork } from './commit';
import { firstLine, worktreesRoot } from './repo';
import type { CommitActivities, CommitWorkInput, CommitWorkResult } from './types';
import { prepareWorkspace } from './workspace';

export interface CommitActivityOptions {
  client: Client;
  /** Where this host's clones and worktrees live (default BEADFLOW_WORKTREES, else ~/.cache/beadflow/worktrees). */
  worktreesRoot?: string;
}

const HEARTBEAT_EVERY_MS = 1_000;
/** The fencing query is retried this long: a lock whose worker just restarted answers "no poller seen" for a moment. */
const FENCE_RETRY_MS = 6_000;

type LockQuery = (lockId: string) => Promise<LockState>;

/** Why `token` no longer holds the lock (undefined: it does). Query failures are retried for a few seconds, then thrown. */
export function fenceChecker(
  query: LockQuery,
  retryForMs = FENCE_RETRY_MS,
): (lockId: string, requestId: string, token: number) => Promise<string | undefined> {
  return async (lockId, requestId, token) => {
    const until = Date.now() + retryForMs;
    let state: LockState | undefined;
    for (let wait = 100; !state; wait = Math.min(wait * 2, 1_000)) {
      try {
        state = await query(lockId);
      } catch (err) {
        if (Date.now() + wait > until)
          throw new Error(`cannot ask the commit lock ${lockId} whether this commit still holds it: ${firstLine(err)}`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    const h = state.holder;
    if (h && h.token === token && h.requestId === requestId) return undefined;
    const now = h ? `the lock is held by ${h.beadId} with token ${h.token}` : 'nobody holds the lock';
    return `fencing token ${token} is no longer current (${now}): this commit lost the lock, its lease ran out`;
  };
}

/**
 * With `input.releaseLock`, frees the lock as soon as the git work has an answer (the next holder
 * is granted without waiting for this bead's workflow task). A retry after this (the completion
 * lost) finds the change already on the target and succeeds without the lock; the lock ignores a
 * stale release. If the signal fails, the bead releases instead.
 */
export async function releaseAfterCommit(
  client: Client,
  input: CommitWorkInput,
  result: CommitWorkResult,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<CommitWorkResult> {
  if (!input.releaseLock) return result;
  const release: LockRelease = { requestId: input.requestId, token: input.token, reason: result.outcome === 'success' ? 'done' : 'failed' };
  try {
    await client.workflow.getHandle(input.workspace.lockId).signal(LOCK_SIGNALS.release, release);
    return { ...result, lockReleased: true };
  } catch (err) {
    log('could not release the commit lock; the bead releases it', { error: firstLine(err) });
    return result;
  }
}

export function createCommitActivities(opts: CommitActivityOptions): CommitActivities {
  const { client } = opts;
  const root = opts.worktreesRoot ?? worktreesRoot();
  const fenceProblem = fenceChecker((lockId) => client.workflow.getHandle(lockId).query<LockState>(LOCK_STATE_QUERY));
  const logger = () => {
    const ctx = Context.current();
    return (message: string, fields?: Record<string, unknown>) => ctx.log.info(message, fields);
  };

  return {
    async prepareWorkspace(input) {
      Context.current().heartbeat();
      return prepareWorkspace(input, root, logger());
    },

    async requestCommitLock(input) {
      await client.workflow.signalWithStart<typeof commitLock, [unknown]>(COMMIT_LOCK_WORKFLOW, {
        workflowId: input.lockId,
        taskQueue: input.taskQueue,
        args: [{ lockId: input.lockId, repo: input.upstream, ...input.config }],
        signal: LOCK_SIGNALS.request,
        signalArgs: [input.request],
      });
    },

    async commitWork(input) {
      const ctx = Context.current();
      const log = (message: string, fields?: Record<string, unknown>) =>
        ctx.log.info(message, { beadId: input.beadId, node: input.node, ...fields });
      const heartbeat = () => ctx.heartbeat();
      // Renew the lease while we work, so a slow push is not mistaken for a dead holder.
      const renewal: LockRenewal = { requestId: input.requestId, token: input.token };
      const renewEveryMs = Math.min(60_000, Math.max(500, Math.floor(input.leaseMs / 3)));
      const timers = [
        setInterval(heartbeat, HEARTBEAT_EVERY_MS),
        setInterval(() => {
          client.workflow
            .getHandle(input.workspace.lockId)
            .signal(LOCK_SIGNALS.renew, renewal)
            .catch((err: unknown) => log('lease renewal failed', { error: firstLine(err) }));
        }, renewEveryMs),
      ];
      try {
        heartbeat();
        const result = await commitWork(input, { fenceProblem, signal: ctx.cancellationSignal, log, heartbeat, root });
        log(`commit ${result.outcome}: ${result.summary}`);
        for (const t of timers) clearInterval(t);
        return await releaseAfterCommit(client, input, result, log);
      } finally {
        for (const t of timers) clearInterval(t);
      }
    },

    async workflowStatus({ workflowId, runId }) {
      try {
        return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
        throw err;
      }
    },

    async cleanupWorkspace(input) {
      return cleanupWorkspace(input, root, logger());
    },
  };
}
