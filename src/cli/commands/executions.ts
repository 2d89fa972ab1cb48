import type { Command } from 'commander';
import type { ExecutionFilter } from '../../ledger/queries';
import { listExecutions } from '../../ledger/queries';
import { action } from '../action';
import { usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';
import { table, truncate, when } from '../table';

interface ExecutionsFlags {
  active?: boolean;
  escalated?: boolean;
  bead?: string;
  limit: string;
  json?: boolean;
}

/** `executions [--active|--escalated]`: bead runs recorded in the ledger, newest first. */
export function register(program: Command): void {
  program
    .command('executions')
    .description('bead executions recorded in the ledger, newest first')
    .option('--active', 'only executions that have not ended')
    .option('--escalated', 'only executions escalated now (waiting for the CEO, or ended escalated)')
    .option('--bead <beadId>', "only this bead's executions")
    .option('--limit <n>', 'at most this many', '200')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: ExecutionsFlags) => {
        if (flags.active && flags.escalated) throw usageError('--active and --escalated exclude each other');
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a positive whole number, not "${flags.limit}"`);
        const filter: ExecutionFilter = flags.active ? 'active' : flags.escalated ? 'escalated' : 'all';
        const rows = await withLedger((ledger) => listExecutions(ledger.pool, { filter, beadId: flags.bead, limit }));
        if (flags.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(`no ${filter === 'all' ? '' : `${filter} `}executions in the ledger\n`);
          return;
        }
        process.stdout.write(
          `${table(
            [
              'BEAD',
              'DEFINITION',
              'STATUS',
              'NODE',
              'CYCLES',
              'DISPATCHES',
              'STARTED',
              'ENDED',
              filter === 'escalated' ? 'REASON' : 'TITLE',
            ],
            rows.map((e) => [
              e.bead_id,
              e.definition_id,
              e.status,
              e.current_node_key || '-',
              e.cycle_count,
              e.dispatch_count,
              when(e.started_at),
              when(e.completed_at),
              truncate(filter === 'escalated' ? (e.escalation_reason ?? '') : e.title, 50),
            ]),
          )}\n`,
        );
      }),
    );
}
