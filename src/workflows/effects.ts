/**
 * The shell's side of each Step: run an agent turn, wait for a decision, sleep a backoff — each
 * raced against the node's durable deadline. Timers and activities only; no rules live here.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  TimeoutFailure,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/types';
import type { ResolvedNode } from '../dsl/types';
import { TimeoutType } from '@temporalio/common';
import { priorityKey } from '../shared/priority';
import type { Interpreter, Step } from '../interpreter';
import { buildTurnInput, nodeByKey } from '../interpreter';
import type { AgentTurnResult } from '../shared/agent';
import type { Bead, RunOptions } from '../shared/bead';
import { roleTaskQueue } from '../shared/roles';
import { innermostMessage, remainingMs, waitUntil } from './waits';
import type { CommitNodes } from './commit-node';
import { NON_RETRYABLE } from '../shared/errors';
import { withWorkspace } from './bead-workspace';
import { agentLoop } from './agent-loop';
import { METRICS } from '../shared/metrics';
import { recordSeconds, recordTurn } from './metrics';
import { inSpan } from './spans';

/** Model agents' turns run as an agentLoop child; runs recorded before it never started one. */
const AGENT_LOOP_PATCH = 'agent-loop';

type Settled = { ok: true; value: AgentTurnResult } | { ok: false; message: string; noWorkerAfterMs?: number };

/** The turn waited its role_wait and no worker of the role picked it up. */
function noWorkerPickedUp(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

const DEFAULT_TURN_TIMEOUT_MS = 2 * 60 * 60_000;

export class Effects {
  constructor(
    private readonly interp: Interpreter,
    private readonly bead: Bead,
    private readonly options: RunOptions,
    /** Commit nodes (lock + git) and the bead's worktree; none = commits run as plain turns (tests). */
    private readonly commits?: CommitNodes,
  ) {}

  private agents(node: ResolvedNode, role: string, deadline: number): AgentActivities {
    const remaining = remainingMs(deadline);
    const roleWaitMs = node.roleWaitMs ?? 0;
    return proxyActivities<AgentActivities>({
      taskQueue: roleTaskQueue(role, this.options.roleQueuePrefix),
      summary: `${node.key} · ${role}`,
      priority: { priorityKey: priorityKey(this.bead.priority) },
      ...(roleWaitMs > 0 ? { scheduleToStartTimeout: roleWaitMs } : {}),
      // The node's deadline bounds the turn; the timer below cancels it, this is the backstop.
      startToCloseTimeout: Math.max(1_000, Math.min(remaining ?? DEFAULT_TURN_TIMEOUT_MS, DEFAULT_TURN_TIMEOUT_MS)),
      heartbeatTimeout: this.options.heartbeatTimeoutMs ?? 30_000,
      cancellationType: ActivityCancellationType.TRY_CANCEL,
      retry: {
        initialInterval: 1_000,
        backoffCoefficient: 2,
        maximumInterval: 30_000,
        maximumAttempts: this.options.turnRetryAttempts ?? 5,
        nonRetryableErrorTypes: [...NON_RETRYABLE.agentTurn],
      },
    });
  }

  /** Starts the turn in its own scope so a deadline or a person's decision can cancel it. */
  private startTurn(
    cursorId: string,
    role: string,
    deadline: number,
  ): { scope: CancellationScope; settled: () => Settled | undefined; startedAt: number } {
    const cursor = this.interp.state.cursors.find((c) => c.id === cursorId)!;
    const node = nodeByKey(this.interp.def, cursor.node);
    const input = withWorkspace(
      buildTurnInput(this.interp.state, this.bead, node, cursor, this.commits?.workspace?.worktree),
      this.commits?.workspace,
    );
    input.canLoop = true;
    this.interp.turnStarted(cursorId);
    let result: Settled | undefined;
    const scope = new CancellationScope();
    const startedAt = Date.now();
    scope
      .run(async () => {
        const first = await this.agents(node, role, deadline).agentTurn(input);
        return first.loop ? this.runLoop(first, node, cursor, deadline) : first;
      })
      .then(
        (value) => (result = { ok: true, value }),
        (err: unknown) => {
          if (isCancellation(err)) return;
          result = {
            ok: false,
            message: innermostMessage(err),
            ...(noWorkerPickedUp(err) ? { noWorkerAfterMs: Date.now() - startedAt } : {}),
          };
        },
      );
    return { scope, settled: () => result, startedAt };
  }

  /** The turn's model calls and tool calls, each durable, on the host that prepared the worktree. */
  private async runLoop(
    first: AgentTurnResult,
    node: ResolvedNode,
    cursor: { id: string; attempt: number; dispatch: number },
    deadline: number,
  ): Promise<AgentTurnResult> {
    patched(AGENT_LOOP_PATCH);
    const dispatchIndex = this.interp.state.nodeDispatches[node.key] ?? 0;
    return executeChild(agentLoop, {
      workflowId: `${this.bead.id}/turn/${node.key}/${dispatchIndex}.${cursor.attempt}.${cursor.dispatch}.${cursor.id}`,
      args: [
        {
          beadId: this.bead.id,
          node: node.key,
          plan: first.loop!,
          heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
          ...(deadline > 0 && Number.isFinite(deadline) ? { deadline } : {}),
        },
      ],
      staticSummary: `${node.key} · ${first.loop!.model}`,
      cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
    });
  }

  private nodeOf(cursorId: string): ResolvedNode {
    return nodeByKey(this.interp.def, this.interp.state.cursors.find((c) => c.id === cursorId)!.node);
  }

  async turn(step: Extract<Step, { kind: 'turn' | 'commit' }>): Promise<Step> {
    const attrs = {
      'beadflow.bead': this.bead.id,
      'beadflow.node': step.node,
      'beadflow.role': step.role,
      'beadflow.attempt': step.attempt,
    };
    return inSpan(`turn ${step.node}`, attrs, () => this.runTurn(step));
  }

  private async runTurn(step: Extract<Step, { kind: 'turn' | 'commit' }>): Promise<Step> {
    const turn = this.startTurn(step.cursor, step.role, step.deadline);
    const done = await waitUntil(() => turn.settled() !== undefined, remainingMs(step.deadline));
    if (!done) {
      turn.scope.cancel();
      recordTurn(step.role, 'timeout', Date.now() - turn.startedAt);
      return this.interp.timedOut(step.cursor, Date.now());
    }
    return this.settle(step.cursor, turn.settled()!, turn.startedAt);
  }

  /** A commit node: take the repository's lock, commit and push, release (src/workflows/commit-node.ts). */
  async commit(step: Extract<Step, { kind: 'commit' }>): Promise<Step> {
    if (!this.commits) return this.turn(step);
    return inSpan(`commit ${step.node}`, { 'beadflow.bead': this.bead.id, 'beadflow.node': step.node }, () => this.runCommit(step));
  }

  private async runCommit(step: Extract<Step, { kind: 'commit' }>): Promise<Step> {
    if (!this.commits) return this.turn(step);
    this.interp.turnStarted(step.cursor);
    const startedAt = Date.now();
    try {
      const node = nodeByKey(this.interp.def, step.node);
      const outcome = await this.commits.run(step, node.leaseMs, node.onConflict, node.roleWaitMs);
      if (outcome.kind === 'timeout') return this.interp.timedOut(step.cursor, Date.now());
      if (outcome.kind === 'conflict')
        return this.interp.conflictUnresolved(step.cursor, outcome.result, outcome.files, startedAt, Date.now());
      return this.interp.turnFinished(step.cursor, outcome.result, startedAt, Date.now());
    } catch (err) {
      if (isCancellation(err)) throw err;
      return this.interp.turnErrored(step.cursor, innermostMessage(err), startedAt, Date.now());
    }
  }

  /** Waits for the first of: a person's accepted decision, the reviewer agent's verdict, the deadline. */
  async approval(step: Extract<Step, { kind: 'approval' }>): Promise<Step> {
    const attrs = { 'beadflow.bead': this.bead.id, 'beadflow.node': step.node, 'beadflow.role': step.role };
    return inSpan(`approval ${step.node}`, attrs, () => this.awaitApproval(step));
  }

  private async awaitApproval(step: Extract<Step, { kind: 'approval' }>): Promise<Step> {
    const cursor = this.interp.state.cursors.find((c) => c.id === step.cursor)!;
    const turn = step.agentReview ? this.startTurn(step.cursor, step.role, step.deadline) : undefined;
    const ready = () => !!cursor.pendingDecision || turn?.settled() !== undefined;
    const waitStarted = Date.now();
    const done = await waitUntil(ready, remainingMs(step.deadline));
    const waited = (outcome: string) => recordSeconds(METRICS.approvalWaitSeconds, Date.now() - waitStarted, { node: step.node, outcome });
    if (!done) {
      turn?.scope.cancel();
      waited('timeout');
      return this.interp.timedOut(step.cursor, Date.now());
    }
    if (cursor.pendingDecision) {
      turn?.scope.cancel();
      waited('decided');
      return this.interp.applyDecision(step.cursor, Date.now());
    }
    waited('reviewed');
    return this.settle(step.cursor, turn!.settled()!, turn!.startedAt);
  }

  async backoff(step: Extract<Step, { kind: 'backoff' }>): Promise<Step> {
    const remaining = remainingMs(step.deadline);
    if (remaining !== undefined && remaining <= step.ms) {
      if (remaining > 0) await sleep(remaining);
      return this.interp.timedOut(step.cursor, Date.now());
    }
    await sleep(step.ms);
    return this.interp.backoffElapsed(step.cursor, Date.now());
  }

  private settle(cursorId: string, settled: Settled, startedAt: number): Step {
    const now = Date.now();
    if (!settled.ok && settled.noWorkerAfterMs !== undefined) {
      const node = this.nodeOf(cursorId);
      // A reviewer nobody runs leaves the decision to a person when the node allows one.
      if (!(node.type === 'approval' && node.approval?.mode === 'any'))
        return this.interp.noWorkerForRole(cursorId, settled.noWorkerAfterMs, now);
    }
    recordTurn(
      this.nodeOf(cursorId).role,
      settled.ok ? settled.value.outcome : 'error',
      now - startedAt,
      settled.ok ? settled.value.usage : undefined,
    );
    if (settled.ok) this.commits?.recordTurn(settled.value);
    return settled.ok
      ? this.interp.turnFinished(cursorId, settled.value, startedAt, now)
      : this.interp.turnErrored(cursorId, settled.message, startedAt, now);
  }
}
