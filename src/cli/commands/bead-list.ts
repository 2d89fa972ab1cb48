import type { Command } from 'commander';
import { LEDGER_BEAD_STATUSES } from '../../ledger/progress';
import { listBeads, priorityLabel } from '../../ledger/beads';
import { action } from '../action';
import { usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';
import { table, truncate, when } from '../table';

interface ListFlags {
  status?: string;
  limit: string;
  json?: boolean;
}

/** `bead list`: beads in the ledger, in backlog order (priority, status, age). */
export function registerBeadList(bead: Command): void {
  bead
    .command('list')
    .description('beads in the ledger, in backlog order (P0 first, then blocked, in review, in progress, open; oldest first)')
    .option('--status <status>', `only this status (${LEDGER_BEAD_STATUSES.join(', ')}, ...)`)
    .option('--limit <n>', 'at most this many', '200')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: ListFlags) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a positive whole number, not "${flags.limit}"`);
        const rows = await withLedger((ledger) => listBeads(ledger.pool, { status: flags.status, limit }));
        if (flags.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(`no beads${flags.status ? ` with status ${flags.status}` : ''} in the ledger\n`);
          return;
        }
        process.stdout.write(
          `${table(
            ['ID', 'PRI', 'STATUS', 'TYPE', 'CREATED', 'TITLE'],
            rows.map((b) => [b.id, priorityLabel(b.priority), b.status, b.type || '-', when(b.created_at), truncate(b.title, 60)]),
          )}\n`,
        );
      }),
    );
}
