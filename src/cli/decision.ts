/** Shared by `approve`, `reject` and `override`: send the decision as an Update and say what the bead did with it. */
import { sendDecision, type DecisionAnswer } from '../client/beads';
import type { OverridePayload } from '../workflows/messages';
import { connectClient } from './connection';
import { usageError } from './errors';
import { printJson } from './format';

export interface DecisionFlags {
  by: string;
  reason?: string;
  node?: string;
  json?: boolean;
}

function requireBy(by: string): string {
  if (!by.trim()) throw usageError('--by is empty', 'say who decides, e.g. --by "Product Manager"');
  return by.trim();
}

function report(beadId: string, what: string, answer: DecisionAnswer, json?: boolean): void {
  if (json) {
    printJson(
      answer.delivered === 'update'
        ? { delivered: 'update', ...answer.result, state: undefined }
        : { beadId, delivered: 'signal', taskQueue: answer.taskQueue },
    );
    return;
  }
  if (answer.delivered === 'signal') {
    process.stdout.write(
      `${what} sent to ${beadId} as a signal: no worker polls task queue ${answer.taskQueue}, so it applies when a worker runs (start one with \`npm run worker\`); \`npx beadflow status ${beadId}\` shows whether it was accepted\n`,
    );
    return;
  }
  const r = answer.result;
  const edge = r.edge ? `; took ${r.edge.from} → ${r.edge.to || '(end)'} (${r.edge.condition})` : '';
  process.stdout.write(`${r.decision} ${r.node} of ${beadId}${edge}; now ${r.status} at ${r.currentNode || '-'}\n`);
}

export async function decide(beadId: string, approve: boolean, flags: DecisionFlags): Promise<void> {
  const by = requireBy(flags.by);
  const answer = await sendDecision(await connectClient(), beadId, {
    kind: approve ? 'approve' : 'reject',
    payload: { by, reason: flags.reason ?? '', node: flags.node },
  });
  report(beadId, approve ? 'approval' : 'rejection', answer, flags.json);
}

export async function override(beadId: string, payload: OverridePayload, json?: boolean): Promise<void> {
  const answer = await sendDecision(await connectClient(), beadId, {
    kind: 'override',
    payload: { ...payload, by: requireBy(payload.by) },
  });
  report(beadId, `override ${payload.action}`, answer, json);
}
