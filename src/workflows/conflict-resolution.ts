/**
 * A commit node's conflict-resolution turn, workflow side: one `resolveConflict` activity on the
 * integration role's queue, raced against the node's deadline. Runs *without* the commit lock
 * (commit-node.ts releases it before and asks again after): the turn only writes the bead's ref,
 * with a lease on the recorded commit, never the target.
 */
import {
  ActivityCancellationType,
  CancellationScope,
  ChildWorkflowCancellationType,
  executeChild,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { AgentActivities, ResolveConflictInput, ResolveConflictResult } from '../activities/types';
import { priorityKey } from '../shared/priority';
import type { Bead, RunOptions } from '../shared/bead';
import { roleTaskQueue } from '../shared/roles';
import { NON_RETRYABLE } from '../shared/errors';
import { innermostMessage, remainingMs, waitUntil } from './waits';
import { agentLoop } from './agent-loop';
import { hasPatch } from './patches';

/** Runs recorded before commit nodes resolved conflicts never scheduled a resolution turn. */
export const CONFLICT_RESOLVE_PATCH = 'commit-conflict-resolve';
/** Runs recorded before model agents resolved conflicts never started a resolution's agentLoop child. */
export const CONFLICT_LOOP_PATCH = 'conflict-agent-loop';

const MAX_TURN_MS = 2 * 60 * 60_000;

export type ResolutionOutcome = { kind: 'done'; turn: ResolveConflictResult } | { kind: 'timeout' };

export async function runResolution(
  input: ResolveConflictInput,
  bead: Bead,
  options: RunOptions,
  /**
   * The node's deadline (epoch ms, 0 = none); role_wait bounds the wait for a worker of the
   * integration role (0 = forever); cursor tells this visit of the commit node from others (child ids).
   */
  { deadline, roleWaitMs = 0, cursor = '' }: { deadline: number; roleWaitMs?: number; cursor?: string },
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
    .run(async () => {
      const first = await resolveConflict({ ...input, canLoop: true });
      if (!first.loop) return first;
      if (!hasPatch(CONFLICT_LOOP_PATCH))
        return { ...first, loop: undefined, summary: `resolution ${input.round} failed: this run cannot start the agent's loop` };
      return runLoop(input, first, { deadline, cursor, heartbeatTimeoutMs: options.heartbeatTimeoutMs });
    })
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

/** A model agent's resolution: its tool calls run on the host holding the mid-merge worktree; its finish concludes the merge. */
async function runLoop(
  input: ResolveConflictInput,
  first: ResolveConflictResult,
  { deadline, cursor, heartbeatTimeoutMs }: { deadline: number; cursor: string; heartbeatTimeoutMs?: number },
): Promise<ResolveConflictResult> {
  const plan = first.loop!;
  const node = `${input.node}:resolve`;
  const turn = await executeChild(agentLoop, {
    workflowId: `${input.beadId}/resolve/${input.node}/${cursor}.${input.round}`,
    args: [
      {
        beadId: input.beadId,
        node,
        plan,
        heartbeatTimeoutMs,
        ...(deadline > 0 && Number.isFinite(deadline) ? { deadline } : {}),
      },
    ],
    staticSummary: `${node} · ${plan.model}`,
    cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
  });
  const resolved = turn.outcome === 'success' && !!turn.head;
  return {
    resolved,
    head: turn.head ?? first.head,
    summary: resolved
      ? `resolved the conflict in ${first.files.join(', ')}: ${turn.summary}`
      : `resolution ${input.round} of ${first.files.join(', ')} failed: ${turn.summary}`,
    agent: turn.agent || first.agent,
    files: first.files,
  };
}
