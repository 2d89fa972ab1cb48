import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { BEAD_STATUS, BEAD_TYPE, CURRENT_NODE, REQUIRED_ROLE } from '../../shared/search-attributes';
import { effectiveStatus } from '../../client/status';
import { action } from '../action';
import { connectClient } from '../connection';
import { usageError } from '../errors';
import { printJson } from '../format';
import { table, truncate, when } from '../table';

export interface ListedBead {
  beadId: string;
  runId: string;
  /** The bead's status (search attribute BeadStatus), e.g. waiting_approval. */
  status: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  executionStatus: string;
  currentNode: string;
  requiredRole: string;
  type: string;
  title: string;
  definitionId: string;
  startTime: Date;
  closeTime?: Date;
}

export const ACTIVE_QUERY = "WorkflowType='beadWorkflow' AND ExecutionStatus='Running'";
export const ALL_QUERY = "WorkflowType='beadWorkflow' AND ExecutionStatus!='ContinuedAsNew'";

/** Beads as Temporal's visibility sees them (what runs now), newest first. */
export async function listBeadRuns(client: Client, opts: { active?: boolean; limit: number }): Promise<ListedBead[]> {
  const rows: ListedBead[] = [];
  for await (const wf of client.workflow.list({ query: opts.active ? ACTIVE_QUERY : ALL_QUERY })) {
    const sa = wf.typedSearchAttributes;
    const dash = (v: string | undefined) => (v && v !== '-' ? v : '');
    rows.push({
      beadId: wf.workflowId,
      runId: wf.runId,
      status: effectiveStatus(sa.get(BEAD_STATUS), wf.status.name),
      executionStatus: wf.status.name,
      currentNode: dash(sa.get(CURRENT_NODE)),
      requiredRole: dash(sa.get(REQUIRED_ROLE)),
      type: sa.get(BEAD_TYPE) ?? '',
      title: typeof wf.memo?.title === 'string' ? wf.memo.title : '',
      definitionId: typeof wf.memo?.definitionId === 'string' ? wf.memo.definitionId : '',
      startTime: wf.startTime,
      closeTime: wf.closeTime,
    });
    if (rows.length >= opts.limit) break;
  }
  return rows;
}

/** `list [--active]`: beads from Temporal visibility (search attributes BeadStatus, CurrentNode). */
export function register(program: Command): void {
  program
    .command('list')
    .description("beads known to Temporal, newest first (the ledger's record: `beadflow bead list`, `executions`)")
    .option('--active', 'only running beads (including those waiting for a person)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { active?: boolean; limit: string; json?: boolean }) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a positive whole number, not "${flags.limit}"`);
        const client = await connectClient();
        try {
          const rows = await listBeadRuns(client, { active: flags.active, limit });
          if (flags.json) return printJson(rows);
          if (rows.length === 0) {
            process.stdout.write(flags.active ? 'no running beads\n' : 'no beads\n');
            return;
          }
          process.stdout.write(
            `${table(
              ['BEAD', 'STATUS', 'NODE', 'WAITING ON', 'TYPE', 'STARTED', 'TITLE'],
              rows.map((r) => [
                r.beadId,
                r.status,
                r.currentNode || '-',
                r.requiredRole || '-',
                r.type || '-',
                when(r.startTime),
                truncate(r.title, 50),
              ]),
            )}\n`,
          );
        } finally {
          await client.connection.close();
        }
      }),
    );
}
