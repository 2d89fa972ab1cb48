/** Looking up a bead's run and talking to it, with errors a person can act on. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { CliError } from '../cli/errors';
import type { BeadState, DecisionPayload, OverridePayload } from '../workflows/messages';

export async function beadHandle(client: Client, beadId: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(beadId);
  try {
    const info = await handle.describe();
    if (info.type !== 'beadWorkflow') throw new CliError(`${beadId} is a ${info.type} workflow, not a bead`);
  } catch (err) {
    if (err instanceof Error && (err.name === 'WorkflowNotFoundError' || /not found/i.test(err.message))) {
      throw new CliError(`unknown bead ${beadId}`, { hint: 'list beads with `npx beadflow list`' });
    }
    throw err;
  }
  return handle;
}

export async function beadState(client: Client, beadId: string): Promise<BeadState> {
  return (await beadHandle(client, beadId)).query<BeadState>('state');
}

/** Signals a decision after checking the bead waits for one, so a typo'd bead or a late decision says so. */
export async function sendDecision(client: Client, beadId: string, approve: boolean, payload: DecisionPayload): Promise<BeadState> {
  const handle = await beadHandle(client, beadId);
  const state = await handle.query<BeadState>('state');
  if (state.status !== 'waiting_approval') {
    throw new CliError(`bead ${beadId} is not waiting for approval (status ${state.status}, node ${state.currentNode || '-'})`, {
      hint: state.status === 'escalated' ? `an escalated bead needs \`npx beadflow override ${beadId} --by CEO --action ...\`` : 'see `npx beadflow status ' + beadId + '`',
    });
  }
  await handle.signal(approve ? 'approve' : 'reject', { ...payload, requestId: payload.requestId ?? randomUUID() });
  return state;
}

export async function sendOverride(client: Client, beadId: string, payload: OverridePayload): Promise<BeadState> {
  const handle = await beadHandle(client, beadId);
  const state = await handle.query<BeadState>('state');
  if (state.status !== 'escalated') {
    throw new CliError(`bead ${beadId} is not escalated (status ${state.status})`, { hint: 'override applies to escalated beads only' });
  }
  await handle.signal('override', { ...payload, requestId: payload.requestId ?? randomUUID() });
  return state;
}

/** Polls until the bead's history has an entry after `afterSeq` that answers our request. */
export async function waitForEffect(client: Client, beadId: string, afterSeq: number, timeoutMs = 10_000): Promise<BeadState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await beadState(client, beadId);
    if (state.history.some((h) => h.seq > afterSeq && ['decision', 'ignored', 'override'].includes(h.kind))) return state;
    if (Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 150));
  }
}
