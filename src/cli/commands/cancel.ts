import type { Command } from 'commander';
import { cancelBead } from '../../client/cancel';
import { action } from '../action';
import { connectClient } from '../connection';
import { usageError } from '../errors';
import { printJson } from '../format';

export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel a running bead: its agent turns stop, its commit lock is released, it ends `cancelled`')
    .argument('<bead>', 'bead id')
    .requiredOption('--by <who>', 'who cancels')
    .requiredOption('--reason <text>', 'why (kept in the bead history and the ledger)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (beadId: string, flags: { by: string; reason: string; json?: boolean }) => {
        if (!beadId.trim()) throw usageError('the bead id is empty', 'pass a bead id; list beads with `npx beadflow list`');
        if (!flags.by.trim()) throw usageError('--by is empty', 'say who cancels, e.g. --by "Engineering Manager"');
        if (!flags.reason.trim()) throw usageError('--reason is empty', 'say why the bead is cancelled');
        const { temporalStatus } = await cancelBead(await connectClient(), beadId, flags.by.trim(), flags.reason.trim());
        if (flags.json) return printJson({ beadId, temporalStatus });
        const ended =
          temporalStatus === 'RUNNING'
            ? 'cancellation requested; the bead has not closed yet (no worker running?)'
            : `now ${temporalStatus.toLowerCase()}`;
        process.stdout.write(`cancelled ${beadId} (by ${flags.by.trim()}): ${ended}\n`);
      }),
    );
}
