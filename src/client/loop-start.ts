/** Starting one backlog bead: its row picks a definition, then its run starts in Temporal. */
import { BeadflowError } from '../shared/errors';
import type { BeadRow } from '../ledger/beads';
import { WORKFLOW_TASK_QUEUE } from '../shared/roles';
import type { LoopOptions } from './loop';
import { prepareBead } from './prepare';
import type { BeadHandle } from './start';
import { startBeadRun } from './start';

export type Started = { handle: BeadHandle; definition: string } | { skipped: string };

/** A BeadflowError is about this bead (no definition for it, a bad field): skipped. Anything else throws (critical). */
export async function startFromRow(row: BeadRow, opts: LoopOptions, log: (line: string) => void): Promise<Started> {
  try {
    const { input, selectedBy, warnings } = prepareFromRow(row, opts);
    for (const w of warnings ?? []) log(`warning: ${row.id}: ${w}`);
    const handle = await startBeadRun(opts.client, input, opts.taskQueue ?? WORKFLOW_TASK_QUEUE);
    log(`started ${row.id} (P${row.priority}, ${row.status}) with ${selectedBy}: ${row.title}`);
    return { handle, definition: input.definition.id };
  } catch (err) {
    if (!(err instanceof BeadflowError)) throw err;
    log(`skipped ${row.id}: ${err.message}`);
    return { skipped: err.message };
  }
}

/** The row's type picks the definition; a type no definition serves (bd's task, chore, epic) falls back to labels and title. */
function prepareFromRow(row: BeadRow, opts: LoopOptions): ReturnType<typeof prepareBead> {
  const req = {
    title: row.title || row.id,
    description: row.description,
    priority: `P${row.priority}`,
    labels: row.labels,
    beadId: row.id,
    definitionsDir: opts.definitionsDir,
    options: opts.runOptions,
  };
  try {
    return prepareBead({ ...req, type: row.type || undefined });
  } catch (err) {
    if (row.type && err instanceof BeadflowError && err.message.startsWith('no definition for type')) return prepareBead(req);
    throw err;
  }
}
