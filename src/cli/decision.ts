/** Shared by `approve` and `reject`: send the signal, then report what the bead made of it. */
import { sendDecision, waitForEffect } from '../client/beads';
import { connectClient } from './connection';
import { CliError } from './errors';
import { printJson } from './format';

export async function decide(beadId: string, approve: boolean, flags: { by: string; reason?: string; node?: string; json?: boolean }): Promise<void> {
  const client = await connectClient();
  const before = await sendDecision(client, beadId, approve, { by: flags.by, reason: flags.reason ?? '', node: flags.node });
  const lastSeq = before.history.at(-1)?.seq ?? 0;
  const after = await waitForEffect(client, beadId, lastSeq);
  const answer = after.history.find((h) => h.seq > lastSeq && ['decision', 'ignored'].includes(h.kind));
  if (flags.json) printJson({ beadId, applied: answer?.kind === 'decision', entry: answer, status: after.status, currentNode: after.currentNode });
  if (answer?.kind === 'ignored') throw new CliError(`the bead did not apply the decision: ${answer.summary}`, { hint: 'check the node\'s approvers with `npx beadflow status ' + beadId + '`' });
  if (!flags.json) process.stdout.write(`${approve ? 'approved' : 'rejected'} ${before.currentNode} of ${beadId}; now ${after.status} at ${after.currentNode || '-'}\n`);
}
