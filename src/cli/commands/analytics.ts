import type { Command } from 'commander';
import { analytics } from '../../ledger/queries';
import { action } from '../action';
import { printJson } from '../format';
import { withLedger } from '../ledger';
import { percent, seconds, table } from '../table';

/** `analytics`: completion and escalation rates, durations, dispatches and cycles per bead type (SQL over the ledger). */
export function register(program: Command): void {
  program
    .command('analytics')
    .description('completion rate, escalation rate, average duration, dispatches and cycles per bead type (from the ledger)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { json?: boolean }) => {
        const a = await withLedger((ledger) => analytics(ledger.pool));
        if (flags.json) return printJson(a);
        if (a.total.executions === 0) {
          process.stdout.write('no executions in the ledger yet\n');
          return;
        }
        const rows = [...a.byType, a.total].map((t) => [
          t.workflow_type,
          t.executions,
          t.active,
          percent(t.completion_rate),
          percent(t.escalation_rate),
          seconds(t.avg_duration_s),
          t.avg_dispatch_count.toFixed(1),
          t.avg_cycle_count.toFixed(1),
          t.max_cycle_count,
        ]);
        process.stdout.write(
          `${table(['TYPE', 'RUNS', 'ACTIVE', 'COMPLETED', 'ESCALATED', 'AVG TIME', 'AVG DISPATCHES', 'AVG CYCLES', 'MAX CYCLES'], rows)}\n`,
        );
        process.stdout.write('(completed = completed / ended runs; escalated = runs that escalated at least once / all runs)\n');
        if (a.cycles.length) {
          process.stdout.write(
            `\nwhere beads loop\n${table(
              ['TYPE', 'NODE', 'RE-ENTRIES', 'BEADS'],
              a.cycles.map((c) => [c.workflow_type, c.node_key, c.reentries, c.beads]),
            )}\n`,
          );
        }
        const spend = (title: string, head: string, rows: typeof a.tokens.byType) => {
          if (!rows.length) return;
          process.stdout.write(
            `\n${title}\n${table(
              [head, 'TURNS', 'MODEL CALLS', 'TOOL CALLS', 'TOKENS'],
              rows.map((r) => [r.key || '(none)', r.turns, r.model_calls, r.tool_calls, r.total_tokens]),
            )}\n`,
          );
        };
        spend('model tokens per bead type', 'TYPE', a.tokens.byType);
        spend('model tokens per role', 'ROLE', a.tokens.byRole);
        spend('beads that spent most', 'BEAD', a.tokens.topBeads);
      }),
    );
}
