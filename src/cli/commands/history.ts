import type { Command } from 'commander';
import { getBead } from '../../ledger/beads';
import { beadHistory } from '../../ledger/queries';
import { action } from '../action';
import { printJson } from '../format';
import { unknownBead, withLedger } from '../ledger';
import { when } from '../table';

/** `history <bead>`: every recorded move of a bead, from the ledger (kept after Temporal's retention). */
export function register(program: Command): void {
  program
    .command('history <beadId>')
    .description("a bead's recorded moves from the ledger (all executions, oldest first)")
    .option('--json', 'machine-readable output')
    .action(
      action(async (beadId: string, flags: { json?: boolean }) => {
        const rows = await withLedger(async (ledger) => {
          const history = await beadHistory(ledger.pool, beadId);
          if (history.length === 0 && !(await getBead(ledger.pool, beadId))) throw unknownBead(beadId);
          return history;
        });
        if (flags.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(`bead ${beadId} has no recorded moves yet\n`);
          return;
        }
        const lines: string[] = [];
        let execution = '';
        for (const h of rows) {
          if (h.execution_id !== execution) {
            execution = h.execution_id;
            lines.push(`execution ${execution}`);
          }
          lines.push(`  #${h.seq} ${when(h.completed_at)}  ${describe(h)}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}

function describe(h: Awaited<ReturnType<typeof beadHistory>>[number]): string {
  const branch = h.branch ? ` [${h.branch}]` : '';
  switch (h.kind) {
    case 'move':
      return `${h.node_key || '(start)'} --${h.condition}--> ${h.to_node_key || '(end)'}${branch}`;
    case 'turn':
      return `${h.node_key}: ${h.outcome} (attempt ${h.attempt_number}, dispatch ${h.dispatch_number}, ${h.agent_id ?? 'agent'}) ${h.summary}${branch}`;
    case 'decision':
      return `${h.node_key}: ${h.outcome} by ${h.agent_id}${h.summary ? `: ${h.summary}` : ''}${branch}`;
    default:
      return `${h.kind} ${h.node_key}${h.outcome ? ` ${h.outcome}` : ''}: ${h.summary}${branch}`;
  }
}
