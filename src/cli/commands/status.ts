import type { Command } from 'commander';
import type { PublishedStatus } from '../../client/status';
import { beadStatus } from '../../client/status';
import { ledgerConfig } from '../../ledger/config';
import type { ExecutionRow } from '../../ledger/queries';
import { listExecutions } from '../../ledger/queries';
import { action } from '../action';
import { connectClient } from '../connection';
import { formatState, printJson } from '../format';
import { BEAD_ID_HINT, nonEmpty } from '../errors';
import { withLedger } from '../ledger';
import { when } from '../table';

/** The ledger's latest execution of the bead, or why there is none to show (the ledger is an extra here). */
async function ledgerRecord(beadId: string): Promise<{ execution?: ExecutionRow; note?: string }> {
  if (ledgerConfig().mode === 'off') return { note: 'the ledger is off (BEADFLOW_LEDGER=off)' };
  try {
    const [execution] = await withLedger((ledger) => listExecutions(ledger.pool, { beadId, limit: 1 }));
    return execution ? { execution } : { note: 'the ledger has no execution of this bead' };
  } catch (err) {
    return { note: `the ledger could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function formatPublished(answer: PublishedStatus, ledger: { execution?: ExecutionRow; note?: string }): string {
  const lines = [
    `bead        ${answer.beadId}`,
    `status      ${answer.status}  (Temporal: ${answer.executionStatus.toLowerCase()})`,
    `node        ${answer.currentNode || '-'}${answer.requiredRole ? `  (waiting on ${answer.requiredRole})` : ''}`,
  ];
  const e = ledger.execution;
  if (e) {
    lines.push(
      `ledger      ${e.status} at ${e.current_node_key || '-'}; attempts ${e.node_attempt_count}, cycles ${e.cycle_count}, dispatches ${e.dispatch_count}; started ${when(e.started_at)}${e.completed_at ? `, ended ${when(e.completed_at)}` : ''}`,
    );
    if (e.escalation_reason) lines.push(`            escalated ${when(e.escalated_at)}: ${e.escalation_reason}`);
  } else if (ledger.note) lines.push(`ledger      ${ledger.note}`);
  lines.push(`note        ${answer.note}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description("show a bead's state: status, current node, who it waits on, history")
    .argument('<bead>', 'bead id')
    .option('--json', 'the `state` query as JSON (or, with no worker running, what the search attributes and the ledger say)')
    .action(
      action(async (beadId: string, flags: { json?: boolean }) => {
        const id = nonEmpty(beadId, 'the bead id', BEAD_ID_HINT);
        const answer = await beadStatus(await connectClient(), id);
        if (answer.source === 'query') {
          if (flags.json) printJson(answer.state);
          else process.stdout.write(`${formatState(answer.state)}\n`);
          return;
        }
        const ledger = await ledgerRecord(id);
        if (flags.json) return printJson({ ...answer, ledger: ledger.execution ?? null, ledgerNote: ledger.note });
        process.stdout.write(`${formatPublished(answer, ledger)}\n`);
      }),
    );
}
