import type { Command } from 'commander';
import { getBead, priorityLabel } from '../../ledger/beads';
import { listExecutions } from '../../ledger/queries';
import { action } from '../action';
import { printJson } from '../format';
import { unknownBead, withLedger } from '../ledger';
import { when } from '../table';

/** `bead show <id>`: the bead's ledger row and its executions. */
export function registerBeadShow(bead: Command): void {
  bead
    .command('show <beadId>')
    .description("a bead's ledger record: its fields and every execution of it")
    .option('--json', 'machine-readable output')
    .action(
      action(async (beadId: string, flags: { json?: boolean }) => {
        const found = await withLedger(async (ledger) => {
          const row = await getBead(ledger.pool, beadId);
          return row && { bead: row, executions: await listExecutions(ledger.pool, { beadId }) };
        });
        if (!found) throw unknownBead(beadId);
        if (flags.json) return printJson(found);
        const b = found.bead;
        const lines = [
          `bead        ${b.id}  "${b.title}"`,
          `status      ${b.status}  (${priorityLabel(b.priority)}, type ${b.type || '-'}, from ${b.source})`,
          `created     ${when(b.created_at)}${b.closed_at ? `, closed ${when(b.closed_at)}` : ''}`,
        ];
        if (b.labels.length) lines.push(`labels      ${b.labels.join(', ')}`);
        if (b.description) lines.push(`description ${b.description}`);
        if (found.executions.length === 0) lines.push('executions  none yet');
        for (const e of found.executions) {
          lines.push(
            `execution   ${e.id} (${e.definition_id}): ${e.status} at ${e.current_node_key || '-'}; cycles ${e.cycle_count}, dispatches ${e.dispatch_count}; started ${when(e.started_at)}${e.completed_at ? `, ended ${when(e.completed_at)}` : ''}`,
          );
          if (e.escalation_reason) lines.push(`            escalated ${when(e.escalated_at)}: ${e.escalation_reason}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
