import type { Command } from 'commander';
import { sendOverride, waitForEffect } from '../../client/beads';
import type { OverridePayload } from '../../workflows/messages';
import { action } from '../action';
import { connectClient } from '../connection';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';

const ACTIONS = ['retry', 'goto', 'continue', 'abort'] as const;

export function register(program: Command): void {
  program
    .command('override')
    .description('CEO decision on an escalated bead: retry, goto a node, continue, or abort')
    .argument('<bead>', 'bead id')
    .requiredOption('--by <who>', 'must be the CEO')
    .requiredOption('--action <action>', ACTIONS.join(' | '))
    .option('--node <key>', 'target node for goto')
    .option('--reason <text>', 'why')
    .option('--json', 'machine-readable output')
    .action(
      action(async (beadId: string, flags: { by: string; action: string; node?: string; reason?: string; json?: boolean }) => {
        if (!(ACTIONS as readonly string[]).includes(flags.action)) throw usageError(`unknown action "${flags.action}"`, `use one of ${ACTIONS.join(', ')}`);
        if (flags.action === 'goto' && !flags.node) throw usageError('goto needs --node <key>', 'name the node to go to');
        const client = await connectClient();
        const payload: OverridePayload = { by: flags.by, action: flags.action as OverridePayload['action'], node: flags.node, reason: flags.reason };
        const before = await sendOverride(client, beadId, payload);
        const lastSeq = before.history.at(-1)?.seq ?? 0;
        const after = await waitForEffect(client, beadId, lastSeq);
        const answer = after.history.find((h) => h.seq > lastSeq && ['override', 'ignored'].includes(h.kind));
        if (flags.json) printJson({ beadId, applied: answer?.kind === 'override', entry: answer, status: after.status });
        if (answer?.kind === 'ignored') throw new CliError(`the bead did not apply the override: ${answer.summary}`, { hint: 'only the CEO may override; goto needs an existing node' });
        if (!flags.json) process.stdout.write(`${flags.action} applied to ${beadId}; now ${after.status} at ${after.currentNode || '-'}\n`);
      }),
    );
}
