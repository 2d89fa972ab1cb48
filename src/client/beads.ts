/** Looking up a bead's run and talking to it, with errors a person can act on. */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
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

export type DecisionAnswer =
  | { delivered: 'update'; result: DecisionResult }
  /** No worker polls the bead's task queue: sent as a signal, applied (or refused, in the history) when one runs. */
  | { delivered: 'signal'; taskQueue: string };

type Decision = { kind: 'approve' | 'reject'; payload: DecisionPayload } | { kind: 'override'; payload: OverridePayload };

/** Sends a decision as an Update (refusals come back with the reason), or as a signal when no worker could answer. */
export async function sendDecision(client: Client, beadId: string, decision: Decision): Promise<DecisionAnswer> {
  const run = await beadRun(client, beadId);
  if (run.temporalStatus !== 'RUNNING') {
    throw new BeadflowError(`bead ${beadId} is no longer running (Temporal says ${run.temporalStatus.toLowerCase()})`, {
      hint: `see \`npx beadflow status ${beadId}\``,
    });
  }
  const payload = { ...decision.payload, requestId: decision.payload.requestId ?? randomUUID() };
  const taskQueue = run.description.taskQueue;
  if ((await workflowPollers(client, taskQueue)).length === 0) {
    if (decision.kind === 'override') await run.handle.signal(overrideSignal, payload as OverridePayload);
    else await run.handle.signal(decision.kind === 'approve' ? approveSignal : rejectSignal, payload);
    return { delivered: 'signal', taskQueue };
  }
  try {
    const result =
      decision.kind === 'override'
        ? await run.handle.executeUpdate(overrideUpdate, { args: [payload as OverridePayload] })
        : await run.handle.executeUpdate(decision.kind === 'approve' ? approveUpdate : rejectUpdate, { args: [payload] });
    return { delivered: 'update', result };
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === DECISION_REFUSED) {
      throw new BeadflowError(`the bead refused the ${decision.kind}: ${cause.message}`, {
        hint: `see \`npx beadflow status ${beadId}\` for who must decide what`,
        cause,
      });
    }
    throw err;
  }
}
