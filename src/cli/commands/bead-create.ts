import type { Command } from 'commander';
import { insertBead, priorityLabel } from '../../ledger/beads';
import { PRIORITIES } from '../../shared/bead';
import { action } from '../action';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

interface CreateFlags {
  title: string;
  type?: string;
  description?: string;
  priority: string;
  label?: string[];
  id?: string;
  json?: boolean;
}

/** `bead create`: a bead in the ledger only (status open), for `beadflow loop` to pick up. */
export function registerBeadCreate(bead: Command): void {
  bead
    .command('create')
    .description('add a bead to the ledger backlog (status open; `beadflow loop` starts it)')
    .requiredOption('--title <title>', 'what is wrong or wanted')
    .option('--type <type>', 'bug, feature, ui, ... (picks the definition when it starts)')
    .option('--description <text>', 'details for the agents')
    .option('--priority <P0..P4>', 'priority', 'P2')
    .option('--label <label...>', 'labels')
    .option('--id <beadId>', 'use this bead id instead of a generated one')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: CreateFlags) => {
        if (!flags.title.trim()) throw usageError('a bead needs a title', 'pass --title "what is wrong or wanted"');
        const priority = flags.priority.toUpperCase();
        if (!(PRIORITIES as readonly string[]).includes(priority))
          throw usageError(`unknown priority "${flags.priority}"`, `use one of ${PRIORITIES.join(', ')}`);
        const row = await withLedger((ledger) =>
          insertBead(ledger.pool, {
            id: flags.id,
            title: flags.title.trim(),
            type: flags.type,
            description: flags.description,
            priority,
            labels: flags.label,
          }),
        );
        if (!row) throw new CliError(`bead ${flags.id} already exists`, { hint: `see it with \`npx beadflow bead show ${flags.id}\`` });
        if (flags.json) printJson(row);
        else {
          process.stdout.write(`${row.id}\n`);
          process.stderr.write(`created ${priorityLabel(row.priority)} bead (status open); \`npx beadflow loop\` starts it\n`);
        }
      }),
    );
}
