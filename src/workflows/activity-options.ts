/**
 * Every activity option set the workflows use, in one place: timeouts, heartbeats, retries and
 * which errors are final. Plain data built from the compiled RunOptions and the Step; the files
 * that call `proxyActivities` pick one of these and add nothing.
 */
import { ActivityCancellationType } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE } from '../shared/errors';
import { priorityKey } from '../shared/priority';
import type { Priority } from '../shared/bead';
import { roleTaskQueue } from '../shared/roles';
import type { CompiledRunOptions } from '../shared/run-options';
import { RUN_DEFAULTS } from '../shared/run-options';
import { remainingMs } from './waits';

/** The longest an agent turn may run when its node sets no timeout. */
const DEFAULT_TURN_TIMEOUT_MS = 2 * 60 * 60_000;
/** The longest one commit (rebase, squash, push) may run. */
const MAX_COMMIT_MS = 30 * 60_000;
/** The commit activity heartbeats every second; this is how long a dead holder's attempt goes unnoticed. */
const COMMIT_HEARTBEAT_TIMEOUT = '8s';
/** How long a model agent's step waits for its host to poll: past it the turn fails and is retried on any host from the recorded commit. */
const HOST_WAIT_MS = 10 * 60_000;
const MODEL_CALL_MS = 10 * 60_000;
const TOOL_CALL_MS = 30 * 60_000;

/** Bounded by what is left of the node's deadline (epoch ms, 0 = none), at least a second. */
function withinDeadline(deadline: number, cap: number): number {
  return Math.max(1_000, Math.min(remainingMs(deadline) ?? cap, cap));
}

/** An agent turn on its role's queue. */
export function agentTurnOptions(
  turn: { node: string; role: string; deadline: number; roleWaitMs?: number },
  beadPriority: Priority,
  options: CompiledRunOptions,
  /** The node's deadline as the activity's schedule-to-close timeout (then no timer races it). */
  deadlineOnActivity = false,
): ActivityOptions {
  const roleWaitMs = turn.roleWaitMs ?? 0;
  const remaining = remainingMs(turn.deadline);
  return {
    taskQueue: roleTaskQueue(turn.role, options.roleQueuePrefix),
    summary: `${turn.node} · ${turn.role}`,
    priority: { priorityKey: priorityKey(beadPriority) },
    ...(roleWaitMs > 0 ? { scheduleToStartTimeout: roleWaitMs } : {}),
    // The node's deadline bounds the turn; the shell's timer cancels it, this is the backstop.
    startToCloseTimeout: withinDeadline(turn.deadline, DEFAULT_TURN_TIMEOUT_MS),
    ...(deadlineOnActivity && remaining !== undefined ? { scheduleToCloseTimeout: remaining } : {}),
    heartbeatTimeout: options.heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    retry: {
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: options.turnRetryAttempts,
      nonRetryableErrorTypes: [...NON_RETRYABLE.agentTurn],
    },
  };
}

/** A model agent's model calls and tool calls, on the queue of the host that holds the worktree. */
export function hostOptions(
  hostQueue: string,
  node: string,
  deadline: number | undefined,
  heartbeatTimeoutMs: number = RUN_DEFAULTS.heartbeatTimeoutMs,
): { model: ActivityOptions; tools: ActivityOptions } {
  const toolMs = deadline ? Math.max(1_000, Math.min(TOOL_CALL_MS, deadline - Date.now())) : TOOL_CALL_MS;
  const common = {
    taskQueue: hostQueue,
    scheduleToStartTimeout: HOST_WAIT_MS,
    heartbeatTimeout: heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
  return {
    model: {
      ...common,
      summary: `model · ${node}`,
      startToCloseTimeout: MODEL_CALL_MS,
      // One layer owns retries: the SDK's are off, Temporal's honour the server's Retry-After (nextRetryDelay).
      retry: {
        initialInterval: 2_000,
        backoffCoefficient: 2,
        maximumInterval: 60_000,
        maximumAttempts: 6,
        nonRetryableErrorTypes: [...NON_RETRYABLE.modelCall],
      },
    },
    tools: { ...common, summary: `tool · ${node}`, startToCloseTimeout: toolMs, retry: { initialInterval: 1_000, maximumAttempts: 3 } },
  };
}

/** The commit under the lock: git work that must really stop before the lock is released. */
export function gitOptions(taskQueue: string, deadline: number): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: withinDeadline(deadline, MAX_COMMIT_MS),
    // Short: a holder whose worker died frees the repository within seconds (the retry runs elsewhere).
    heartbeatTimeout: COMMIT_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '500ms', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE.git] },
  };
}

/** Bookkeeping around the lock (is the holder's workflow still running, and the like). */
export function lockBookkeepingOptions(taskQueue?: string): ActivityOptions {
  return { ...(taskQueue ? { taskQueue } : {}), startToCloseTimeout: '30s', retry: { initialInterval: '500ms', maximumAttempts: 10 } };
}

/** The lock's own check that its holder's workflow still runs. */
export const HOLDER_STATUS_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', maximumAttempts: 3 },
};

/** Creating the bead's branch and worktree before its first turn. */
export function prepareWorkspaceOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE.git] },
  };
}

/** Removing a finished bead's ref and worktree: best effort. */
export function cleanupWorkspaceOptions(taskQueue: string): ActivityOptions {
  return { taskQueue, startToCloseTimeout: '2 minutes', retry: { initialInterval: '1s', maximumAttempts: 3 } };
}

/** The ledger write: unlimited attempts (Temporal's default), capped backoff. */
export function ledgerOptions(retryMaxIntervalMs: number = RUN_DEFAULTS.ledger.retryMaxIntervalMs): ActivityOptions {
  return {
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: Math.min(500, retryMaxIntervalMs),
      backoffCoefficient: 2,
      maximumInterval: retryMaxIntervalMs,
      // A batch the database refuses (bad data) is dropped, not retried forever.
      nonRetryableErrorTypes: [...NON_RETRYABLE.ledger],
    },
  };
}
