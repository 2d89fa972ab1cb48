import type { Command } from 'commander';
import type { OverridePayload } from '../../workflows/messages';
import { action } from '../action';
import { override } from '../decision';
import { usageError } from '../errors';

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
        if (!(ACTIONS as readonly string[]).includes(flags.action))
          throw usageError(`unknown action "${flags.action}"`, `use one of ${ACTIONS.join(', ')}`);
        if (flags.action === 'goto' && !flags.node) throw usageError('goto needs --node <key>', 'name the node to go to');
        await override(
          beadId,
          { by: flags.by, action: flags.action as OverridePayload['action'], node: flags.node, reason: flags.reason },
          flags.json,
        );
      }),
    );
}
