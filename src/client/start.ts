/** Starts a bead's run: workflow id = bead id, type beadWorkflow, on the workflow task queue. */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { BeadflowError } from '../shared/errors';
import { priorityKey } from '../shared/priority';
import { BEAD_ID, BEAD_STATUS, BEAD_TYPE } from '../shared/search-attributes';
import type { BeadInput } from '../shared/bead';
import { WORKFLOW_TASK_QUEUE } from '../shared/roles';
import type { beadWorkflow } from '../workflows/bead';

export type BeadHandle = WorkflowHandleWithFirstExecutionRunId<typeof beadWorkflow>;

export async function startBeadRun(client: Client, input: BeadInput, taskQueue = WORKFLOW_TASK_QUEUE): Promise<BeadHandle> {
  try {
    return await client.workflow.start<typeof beadWorkflow>('beadWorkflow', {
      workflowId: input.bead.id,
      taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: BEAD_ID, value: input.bead.id },
        { key: BEAD_TYPE, value: input.bead.type },
        { key: BEAD_STATUS, value: 'running' },
      ],
      memo: { title: input.bead.title, definitionId: input.definition.id },
      // The Web UI shows the title as the run's summary; P0..P4 become Temporal task priorities 1..5.
      staticSummary: input.bead.title,
      priority: { priorityKey: priorityKey(input.bead.priority) },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new BeadflowError(`bead ${input.bead.id} already exists`, { hint: `see it with \`npx beadflow status ${input.bead.id}\`` });
    }
    throw err;
  }
}
