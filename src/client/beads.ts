/** Looking up a bead's run and talking to it, with errors a person can act on. */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { BeadflowError } from '../shared/errors';
import type { BeadState, DecisionPayload, DecisionResult, OverridePayload } from '../workflows/messages';
import {
  DECISION_REFUSED,
  approveSignal,
  approveUpdate,
  overrideSignal,
  overrideUpdate,
  rejectSignal,
  rejectUpdate,
  stateQuery,
} from '../workflows/messages';
import { workflowPollers } from './pollers';

export interface BeadRun {
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
  /** Temporal's own status of the run: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... */
  temporalStatus: string;
}

export async function beadRun(client: Client, beadId: string): Promise<BeadRun> {
  if (!beadId.trim())
    throw new BeadflowError('the bead id is empty', { kind: 'usage', hint: 'pass a bead id; list beads with `npx beadflow list`' });
  const handle = client.workflow.getHandle(beadId);
  try {
    const description = await handle.describe();
    if (description.type !== 'beadWorkflow')
      throw new BeadflowError(`${beadId} is a ${description.type} workflow, not a bead`, { kind: 'usage' });
    return { handle, description, temporalStatus: description.status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new BeadflowError(`unknown bead ${beadId}`, { hint: 'list beads with `npx beadflow list`' });
    throw err;
  }
}

export async function beadHandle(client: Client, beadId: string): Promise<WorkflowHandle> {
  return (await beadRun(client, beadId)).handle;
}

export async function beadState(client: Client, beadId: string): Promise<BeadState> {
  return (await beadHandle(client, beadId)).query(stateQuery);
}

/**
 * How long the CLI waits for a worker to answer a query or a decision Update. A poller the
 * server still lists may belong to a worker that died a minute ago: past this, the CLI falls
 * back (signal, search attributes) instead of hanging on the server's own timeout.
 */
export const ANSWER_DEADLINE_MS = 10_000;

export type DecisionAnswer =
  | { delivered: 'update'; result: DecisionResult }
  /** Sent as a signal: applied (or refused, in the bead's history) when a worker runs. */
  | { delivered: 'signal'; taskQueue: string; why: 'no-worker' | 'no-answer' };

export type Decision = { kind: 'approve' | 'reject'; payload: DecisionPayload } | { kind: 'override'; payload: OverridePayload };

/** The reason and the hint of a refused Update, from the workflow's DecisionRefused failure. */
export function refusalOf(err: unknown): { why: string; hint?: string } | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== DECISION_REFUSED) return undefined;
  const detail = cause.details?.[0] as { why?: unknown } | undefined;
  const why = typeof detail?.why === 'string' ? detail.why : cause.message.replace(/^decision refused: /, '');
  const rest = cause.message.replace(/^decision refused: /, '');
  const hint = rest.startsWith(`${why}; `) ? rest.slice(why.length + 2) : undefined;
  return { why, hint };
}

/** True when the run's workflow code registers no Update of that name (a worker running older code). */
function isUnknownUpdate(err: unknown): boolean {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  return cause instanceof ApplicationFailure && /^No registered handler for update/.test(cause.message);
}

async function signalDecision(run: BeadRun, decision: Decision, requestId: string): Promise<void> {
  if (decision.kind === 'override') await run.handle.signal(overrideSignal, { ...decision.payload, requestId });
  else await run.handle.signal(decision.kind === 'approve' ? approveSignal : rejectSignal, { ...decision.payload, requestId });
}

function updateDecision(run: BeadRun, decision: Decision, requestId: string): Promise<DecisionResult> {
  if (decision.kind === 'override') return run.handle.executeUpdate(overrideUpdate, { args: [{ ...decision.payload, requestId }] });
  return run.handle.executeUpdate(decision.kind === 'approve' ? approveUpdate : rejectUpdate, {
    args: [{ ...decision.payload, requestId }],
  });
}

/**
 * Sends a decision as an Update: a refusal comes back with the reason, an acceptance with the edge
 * taken. When no worker polls the bead's task queue, or none answers in time, the decision goes
 * as a signal with the same requestId (so an Update delivered later is a duplicate, never a second decision).
 */
export async function sendDecision(
  client: Client,
  beadId: string,
  decision: Decision,
  deadlineMs = ANSWER_DEADLINE_MS,
): Promise<DecisionAnswer> {
  const run = await beadRun(client, beadId);
  if (run.temporalStatus !== 'RUNNING') {
    throw new BeadflowError(`bead ${beadId} is no longer running (Temporal says ${run.temporalStatus.toLowerCase()})`, {
      hint: `nothing waits for a decision; see \`npx beadflow status ${beadId}\``,
    });
  }
  const requestId = decision.payload.requestId ?? randomUUID();
  const taskQueue = run.description.taskQueue;
  if ((await workflowPollers(client, taskQueue)).length === 0) {
    await signalDecision(run, decision, requestId);
    return { delivered: 'signal', taskQueue, why: 'no-worker' };
  }
  try {
    return {
      delivered: 'update',
      result: await client.withDeadline(Date.now() + deadlineMs, () => updateDecision(run, decision, requestId)),
    };
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) {
      throw new BeadflowError(`the bead refused the ${decision.kind}: ${refusal.why}`, {
        hint: refusal.hint ?? `see \`npx beadflow status ${beadId}\` for who must decide what`,
        // The web API tells a refusal (409) from other failures by this cause.
        cause: (err as WorkflowUpdateFailedError).cause,
      });
    }
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      await signalDecision(run, decision, requestId);
      return { delivered: 'signal', taskQueue, why: 'no-answer' };
    }
    if (isUnknownUpdate(err)) {
      throw new BeadflowError(`the worker running bead ${beadId} does not take decisions as Updates (it runs older beadflow code)`, {
        hint: `upgrade and restart the worker, or send the signal: temporal workflow signal --workflow-id ${beadId} --name ${decision.kind} --input '{"by":"..."}'`,
      });
    }
    throw err;
  }
}
