/** Open escalations: optionally start the CEO-decision child bead, then wait for the override. */
import { ParentClosePolicy, condition, patched, startChild } from '@temporalio/workflow';
import type { Interpreter, Step } from '../interpreter';
import { CEO_DECISION_DEFINITION, ceoDecisionBead } from '../interpreter/ceo-decision';
import type { Bead, RunOptions } from '../shared/bead';

/** Runs that escalated before child beads existed must replay without starting one. */
const CEO_CHILD_BEAD_PATCH = 'ceo-child-bead';

export async function awaitOverride(interp: Interpreter, bead: Bead, options: RunOptions, step: Extract<Step, { kind: 'escalated' }>): Promise<Step> {
  if (interp.def.escalation.childBead && !step.record.childBeadId && patched(CEO_CHILD_BEAD_PATCH)) {
    const n = interp.state.history.filter((h) => h.kind === 'escalation').length;
    const child = ceoDecisionBead(bead, step.record, n);
    await startChild('beadWorkflow', {
      workflowId: child.id,
      args: [{ bead: child, definition: CEO_DECISION_DEFINITION, options: { roleQueuePrefix: options.roleQueuePrefix } }],
      // The decision outlives this run if the CEO takes a while and the parent continues as new.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    interp.escalationChildStarted(child.id);
  }
  await condition(() => !!interp.state.pendingOverride);
  return interp.applyOverride(Date.now());
}
