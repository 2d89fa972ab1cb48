import type { Command } from 'commander';
import { cancelBead } from '../../client/cancel';
import { action } from '../action';
import { connectClient } from '../connection';
import { BEAD_ID_HINT, nonEmpty } from '../errors';
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
        const id = nonEmpty(beadId, 'the bead id', BEAD_ID_HINT);
        const by = nonEmpty(flags.by, '--by', 'say who cancels, e.g. --by "Engineering Manager"');
        const reason = nonEmpty(flags.reason, '--reason', 'say why the bead is cancelled');
        const { temporalStatus } = await cancelBead(await connectClient(), id, by, reason);
        if (flags.json) return printJson({ beadId, temporalStatus });
        const ended =
          temporalStatus === 'RUNNING'
            ? 'cancellation requested; the bead has not closed yet (no worker running?)'
            : `now ${temporalStatus.toLowerCase()}`;
        process.stdout.write(`cancelled ${id} (by ${by}): ${ended}\n`);
      }),
    );
}
