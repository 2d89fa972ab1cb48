import type { Command } from 'commander';
import { beadState } from '../../client/beads';
import { action } from '../action';
import { connectClient } from '../connection';
import { formatState, printJson } from '../format';

export function register(program: Command): void {
  program
    .command('status')
    .description("show a bead's state: status, current node, who it waits on, history")
    .argument('<bead>', 'bead id')
    .option('--json', 'the `state` query as JSON')
    .action(
      action(async (beadId: string, flags: { json?: boolean }) => {
        const state = await beadState(await connectClient(), beadId);
        if (flags.json) printJson(state);
        else process.stdout.write(`${formatState(state)}\n`);
      }),
    );
}
