/**
 * The shell's side of each Step: run an agent turn, wait for a decision, sleep a backoff — each
 * raced against the node's durable deadline — and report what happened to the interpreter as an
 * event. Timers and activities only; no rules live here, and no interpreter state is read: the
 * Step carries everything a turn needs.
 */
import {
  ActivityFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  TimeoutFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/types';
import { RetryState, TimeoutType } from '@temporalio/common';
import type { Interpreter, Step, TurnPlan } from '../interpreter';
import type { AgentTurnResult } from '../shared/agent';
import type { Bead } from '../shared/bead';
import type { CompiledRunOptions } from '../shared/run-options';
import { innermostMessage, remainingMs, waitUntil } from './waits';
import type { CommitNodes } from './commit-node';
import { withWorkspace } from './bead-workspace';
import { agentLoop } from './agent-loop';
import { METRICS } from '../shared/metrics';
import { recordSeconds, recordTurn } from './metrics';
import { inSpan } from './spans';
import { agentTurnOptions } from './activity-options';
import type { Inbox } from './inbox';
import { hasPatch } from './patches';

/** Model agents' turns run as an agentLoop child; runs recorded before it never started one. */
const AGENT_LOOP_PATCH = 'agent-loop';
/** A turn's deadline is its activity's schedule-to-close timeout: no timer per turn. */
export const TURN_DEADLINE_PATCH = 'turn-deadline-on-activity';

type Settled =
  | { ok: true; value: AgentTurnResult }
  | { ok: false; message: string; noWorkerAfterMs?: number }
  /** The activity's schedule-to-close (the node's deadline) ended it, or no retry fits before it. */
  | { ok: false; deadline: true };
/** How a turn ended when its deadline did not end it. */
type Finished = Exclude<Settled, { deadline: true }>;
type TurnStep = Extract<Step, { kind: 'turn' | 'commit' }>;
/** What a turn needs to run: the cursor and node it is for, and its plan. */
type TurnRun = { cursor: string; node: string; role: string; deadline: number; plan: TurnPlan };

/** The turn waited its role_wait and no worker of the role picked it up. */
function noWorkerPickedUp(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/** The activity ran out of the node's time: its schedule-to-close fired, or the server let no retry start past it. */
function deadlineReached(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  if (err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE) return true;
  return err.retryState === RetryState.TIMEOUT;
}

export class Effects {
  constructor(
    private readonly interp: Interpreter,
    private readonly bead: Bead,
    private readonly options: CompiledRunOptions,
    /** Accepted decisions not applied yet, filled by the message handlers. */
    private readonly inbox: Inbox,
    /** Commit nodes (lock + git) and the bead's worktree; none = commits run as plain turns (tests). */
    private readonly commits?: CommitNodes,
  ) {}

  /** Starts the turn in its own scope so a deadline or a person's decision can cancel it. */
  private startTurn(
    turn: TurnRun,
    deadlineOnActivity = false,
  ): { scope: CancellationScope; settled: () => Settled | undefined; looping: () => boolean; startedAt: number } {
    const ws = this.commits?.workspace;
    const input = withWorkspace({ ...turn.plan.input, worktree: ws?.worktree }, ws);
    input.canLoop = true;
    let result: Settled | undefined;
    let looping = false;
    const scope = new CancellationScope();
    const startedAt = Date.now();
    const agents = proxyActivities<AgentActivities>(
      agentTurnOptions({ ...turn, roleWaitMs: turn.plan.roleWaitMs }, this.bead.priority, this.options, deadlineOnActivity),
    );
    scope
      .run(async () => {
        const first = await agents.agentTurn(input);
        if (!first.loop) return first;
        looping = true;
        return this.runLoop(first, turn);
      })
      .then(
        (value) => (result = { ok: true, value }),
        (err: unknown) => {
          if (isCancellation(err)) return;
          if (deadlineOnActivity && !looping && deadlineReached(err)) {
            result = { ok: false, deadline: true };
            return;
          }
          result = {
            ok: false,
            message: innermostMessage(err),
            ...(noWorkerPickedUp(err) ? { noWorkerAfterMs: Date.now() - startedAt } : {}),
          };
        },
      );
    return { scope, settled: () => result, looping: () => looping, startedAt };
  }

  /** The turn's model calls and tool calls, each durable, on the host that prepared the worktree. */
  private async runLoop(first: AgentTurnResult, turn: TurnRun): Promise<AgentTurnResult> {
    hasPatch(AGENT_LOOP_PATCH);
    return executeChild(agentLoop, {
      workflowId: `${this.bead.id}/turn/${turn.node}/${turn.plan.dispatchIndex}.${turn.plan.input.attempt}.${turn.plan.input.dispatch}.${turn.cursor}`,
      args: [
        {
          beadId: this.bead.id,
          node: turn.node,
          plan: first.loop!,
          heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
          ...(turn.deadline > 0 && Number.isFinite(turn.deadline) ? { deadline: turn.deadline } : {}),
        },
      ],
      staticSummary: `${turn.node} · ${first.loop!.model}`,
      cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
    });
  }

  async turn(step: TurnStep): Promise<Step> {
    const attrs = {
      'beadflow.bead': this.bead.id,
      'beadflow.node': step.node,
      'beadflow.role': step.role,
      'beadflow.attempt': step.attempt,
    };
    return inSpan(`turn ${step.node}`, attrs, () => this.runTurn(step));
  }

  private async runTurn(step: TurnStep): Promise<Step> {
    const remaining = remainingMs(step.deadline);
    const onActivity = remaining !== undefined && remaining >= 1_000 && hasPatch(TURN_DEADLINE_PATCH);
    const turn = this.startTurn({ ...step, plan: step }, onActivity);
    let done: boolean;
    if (onActivity) {
      // The activity's own timeout is the deadline; a model agent's loop (a child workflow) still needs the timer.
      await waitUntil(() => turn.settled() !== undefined || turn.looping(), undefined);
      done = turn.settled() !== undefined || (await waitUntil(() => turn.settled() !== undefined, remainingMs(step.deadline)));
    } else done = await waitUntil(() => turn.settled() !== undefined, remaining);
    const settled = turn.settled();
    if (!done || (settled && 'deadline' in settled)) {
      turn.scope.cancel();
      recordTurn(step.role, 'timeout', Date.now() - turn.startedAt);
      return this.interp.apply({ type: 'deadline', cursor: step.cursor, at: Date.now() });
    }
    return this.settle(step, settled as Finished, turn.startedAt);
  }

  /** A commit node: take the repository's lock, commit and push, release (src/workflows/commit-node.ts). */
  async commit(step: Extract<Step, { kind: 'commit' }>): Promise<Step> {
    if (!this.commits) return this.turn(step);
    return inSpan(`commit ${step.node}`, { 'beadflow.bead': this.bead.id, 'beadflow.node': step.node }, () => this.runCommit(step));
  }

  private async runCommit(step: Extract<Step, { kind: 'commit' }>): Promise<Step> {
    if (!this.commits) return this.turn(step);
    const startedAt = Date.now();
    try {
      const outcome = await this.commits.run(step);
      if (outcome.kind === 'timeout') return this.interp.apply({ type: 'deadline', cursor: step.cursor, at: Date.now() });
      if (outcome.kind === 'conflict') {
        const { result, files } = outcome;
        return this.interp.apply({ type: 'commitConflict', cursor: step.cursor, result, files, startedAt, at: Date.now() });
      }
      return this.interp.apply({ type: 'turnDone', cursor: step.cursor, result: outcome.result, startedAt, at: Date.now() });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return this.interp.apply({ type: 'turnFailed', cursor: step.cursor, message: innermostMessage(err), startedAt, at: Date.now() });
    }
  }

  /** Waits for the first of: a person's accepted decision, the reviewer agent's verdict, the deadline. */
  async approval(step: Extract<Step, { kind: 'approval' }>): Promise<Step> {
    const attrs = { 'beadflow.bead': this.bead.id, 'beadflow.node': step.node, 'beadflow.role': step.role };
    return inSpan(`approval ${step.node}`, attrs, () => this.awaitApproval(step));
  }

  private async awaitApproval(step: Extract<Step, { kind: 'approval' }>): Promise<Step> {
    const review = step.review;
    const turn = step.agentReview && review ? this.startTurn({ ...step, plan: review }) : undefined;
    const ready = () => this.inbox.has(step.cursor) || turn?.settled() !== undefined;
    const waitStarted = Date.now();
    const done = await waitUntil(ready, remainingMs(step.deadline));
    const waited = (outcome: string) => recordSeconds(METRICS.approvalWaitSeconds, Date.now() - waitStarted, { node: step.node, outcome });
    if (!done) {
      turn?.scope.cancel();
      waited('timeout');
      return this.interp.apply({ type: 'deadline', cursor: step.cursor, at: Date.now() });
    }
    if (this.inbox.take(step.cursor)) {
      turn?.scope.cancel();
      waited('decided');
      return this.interp.apply({ type: 'decisionDue', cursor: step.cursor, at: Date.now() });
    }
    waited('reviewed');
    return this.settle(step, turn!.settled()! as Finished, turn!.startedAt);
  }

  async backoff(step: Extract<Step, { kind: 'backoff' }>): Promise<Step> {
    const remaining = remainingMs(step.deadline);
    if (remaining !== undefined && remaining <= step.ms) {
      if (remaining > 0) await sleep(remaining);
      return this.interp.apply({ type: 'deadline', cursor: step.cursor, at: Date.now() });
    }
    await sleep(step.ms);
    return this.interp.apply({ type: 'backoffDone', cursor: step.cursor, at: Date.now() });
  }

  private settle(step: { cursor: string; role: string }, settled: Finished, startedAt: number): Step {
    const now = Date.now();
    if (!settled.ok) {
      const { message, noWorkerAfterMs } = settled;
      // A turn no worker picked up never ran: not a turn's error in the metrics.
      if (noWorkerAfterMs === undefined) recordTurn(step.role, 'error', now - startedAt);
      return this.interp.apply({ type: 'turnFailed', cursor: step.cursor, message, startedAt, noWorkerAfterMs, at: now });
    }
    recordTurn(step.role, settled.value.outcome, now - startedAt, settled.value.usage);
    this.commits?.recordTurn(settled.value);
    return this.interp.apply({ type: 'turnDone', cursor: step.cursor, result: settled.value, startedAt, at: now });
  }
}
