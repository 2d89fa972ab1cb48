/** Shared by `approve`, `reject` and `override`: send the decision as an Update and say what the bead did with it. */
import { sendDecision, type DecisionAnswer } from '../client/beads';
import type { OverridePayload } from '../workflows/messages';
import { connectClient } from './connection';
import { BEAD_ID_HINT, nonEmpty } from './errors';
import { printJson } from './format';

export interface DecisionFlags {
  by: string;
  reason?: string;
  node?: string;
  json?: boolean;
}

const requireBy = (by: string) => nonEmpty(by, '--by', 'say who decides, e.g. --by "Product Manager"');
const requireBead = (beadId: string) => nonEmpty(beadId, 'the bead id', BEAD_ID_HINT);

function report(beadId: string, what: string, answer: DecisionAnswer, json?: boolean): void {
  if (json) {
    printJson(
      answer.delivered === 'update'
        ? { delivered: 'update', ...answer.result, state: undefined }
        : { beadId, delivered: 'signal', taskQueue: answer.taskQueue, why: answer.why },
    );
    return;
  }
  if (answer.delivered === 'signal') {
    const why =
      answer.why === 'no-worker'
        ? `no worker polls task queue ${answer.taskQueue}`
        : `no worker on task queue ${answer.taskQueue} answered in time`;
    process.stdout.write(
      `${what} sent to ${beadId} as a signal: ${why}, so it applies when a worker runs (start one with \`npm run worker\`); \`npx beadflow status ${beadId}\` shows whether it was accepted\n`,
    );
    return;
  }
  const r = answer.result;
  const edge = r.edge ? `; took ${r.edge.from} → ${r.edge.to || '(end)'} (${r.edge.condition})` : '';
  process.stdout.write(`${r.decision} ${r.node} of ${beadId}${edge}; now ${r.status} at ${r.currentNode || '-'}\n`);
}

export async function decide(beadId: string, approve: boolean, flags: DecisionFlags): Promise<void> {
  const by = requireBy(flags.by);
  const reason = approve
    ? (flags.reason ?? '')
    : nonEmpty(flags.reason ?? '', '--reason', 'say what must change: the next agent turn sees it');
  const id = requireBead(beadId);
  const answer = await sendDecision(await connectClient(), id, {
    kind: approve ? 'approve' : 'reject',
    payload: { by, reason, node: flags.node },
  });
  report(beadId, approve ? 'approval' : 'rejection', answer, flags.json);
}

export async function override(beadId: string, payload: OverridePayload, json?: boolean): Promise<void> {
  const id = requireBead(beadId);
  const by = requireBy(payload.by);
  const answer = await sendDecision(await connectClient(), id, { kind: 'override', payload: { ...payload, by } });
  report(beadId, `override ${payload.action}`, answer, json);
}
