/**
 * A commit node's conflict-resolution turn, workflow side: one `resolveConflict` activity on the
 * integration role's queue, raced against the node's deadline. Runs *without* the commit lock
 * (commit-node.ts releases it before and asks again after): the turn only writes the bead's ref,
 * with a lease on the recorded commit, never the target.
 */
import { ActivityCancellationType, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { AgentActivities, ResolveConflictInput, ResolveConflictResult } from '../activities/types';
import { priorityKey } from '../shared/priority';
import type { Bead, RunOptions } from '../shared/bead';
import { roleTaskQueue } from '../shared/roles';
import { NON_RETRYABLE } from '../shared/errors';
import { innermostMessage, remainingMs, waitUntil } from './waits';

/** Runs recorded before commit nodes resolved conflicts never scheduled a resolution turn. */
export const CONFLICT_RESOLVE_PATCH = 'commit-conflict-resolve';

const MAX_TURN_MS = 2 * 60 * 60_000;

export type ResolutionOutcome = { kind: 'done'; turn: ResolveConflictResult } | { kind: 'timeout' };

export async function runResolution(
  input: ResolveConflictInput,
  bead: Bead,
  options: RunOptions,
  /** The node's deadline (epoch ms, 0 = none); role_wait bounds the wait for a worker of the integration role (0 = forever). */
  { deadline, roleWaitMs = 0 }: { deadline: number; roleWaitMs?: number },
): Promise<ResolutionOutcome> {
  const { resolveConflict } = proxyActivities<AgentActivities>({
    taskQueue: roleTaskQueue(input.role, options.roleQueuePrefix),
    summary: `${input.node} · conflict resolution ${input.round} · ${input.role}`,
    priority: { priorityKey: priorityKey(bead.priority) },
    // Nobody serving the role must not park the bead for ever: the wait ends as a failed resolution.
    ...(roleWaitMs > 0 ? { scheduleToStartTimeout: roleWaitMs } : {}),
    startToCloseTimeout: Math.max(1_000, Math.min(remainingMs(deadline) ?? MAX_TURN_MS, MAX_TURN_MS)),
    heartbeatTimeout: options.heartbeatTimeoutMs ?? 30_000,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    retry: {
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: options.turnRetryAttempts ?? 3,
      nonRetryableErrorTypes: [...NON_RETRYABLE.agentTurn],
    },
  });
  let settled: ResolveConflictResult | undefined;
  const scope = new CancellationScope();
  void scope
    .run(() => resolveConflict(input))
    .then(
      (turn) => (settled = turn),
      (err: unknown) => {
        if (isCancellation(err)) return;
        // An activity that failed for good is a failed resolution, not a failed node.
        settled = {
          resolved: false,
          head: input.workspace.head,
          summary: `resolution ${input.round} failed: ${innermostMessage(err)}`,
          agent: 'error',
          files: [],
        };
      },
    );
  if (!(await waitUntil(() => settled !== undefined, remainingMs(deadline)))) {
    scope.cancel();
    return { kind: 'timeout' };
  }
  return { kind: 'done', turn: settled! };
}
