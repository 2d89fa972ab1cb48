/**
 * Open escalations: optionally start the CEO-decision child bead, then wait for the override —
 * from the CEO directly, or from the child's decision (approve = continue, reject = abort, or the
 * action it names). When the parent is resolved the other way, the open child is cancelled with a note.
 */
import { ParentClosePolicy, condition, getExternalWorkflowHandle, startChild } from '@temporalio/workflow';
import type { AppliedPersonDecision, Interpreter, Override, Step } from '../interpreter';
import { OVERRIDE_DUE } from '../interpreter';
import type { Inbox } from './inbox';
import { CEO_DECISION_DEFINITION, ceoDecisionBead } from '../interpreter/ceo-decision';
import type { Bead } from '../shared/bead';
import type { CompiledRunOptions } from '../shared/run-options';
import type { BeadResult } from './bead';
import { cancelSignal } from './messages';
import { innermostMessage } from './waits';
import { hasPatch } from './patches';

/** Runs that escalated before child beads existed must replay without starting one. */
const CEO_CHILD_BEAD_PATCH = 'ceo-child-bead';
/** Runs recorded before the child's decision moved its parent wait for a direct override only. */
const CEO_CHILD_DECIDES_PATCH = 'ceo-child-decides';

type ChildEnd = { decision?: AppliedPersonDecision; status: string } | { error: string };

/** The override a CEO-decision bead's end stands for. */
export function overrideFromChild(childId: string, end: ChildEnd): Override | undefined {
  if (!('status' in end) || !end.decision) return undefined;
  const d = end.decision;
  const action = d.action ?? (d.approve ? 'continue' : 'abort');
  return {
    by: d.by,
    action,
    node: action === 'goto' ? d.target : undefined,
    reason: `decided in ${childId}${d.reason ? `: ${d.reason}` : ''}`,
  };
}

export async function awaitOverride(
  interp: Interpreter,
  bead: Bead,
  options: CompiledRunOptions,
  inbox: Inbox,
  step: Extract<Step, { kind: 'escalated' }>,
): Promise<Step> {
  let childId: string | undefined;
  let childEnd: ChildEnd | undefined;
  if (step.child && hasPatch(CEO_CHILD_BEAD_PATCH)) {
    const decides = hasPatch(CEO_CHILD_DECIDES_PATCH);
    const seq = decides ? step.child.seq : step.child.legacySeq;
    const child = ceoDecisionBead(bead, step.record, seq);
    const handle = await startChild('beadWorkflow', {
      workflowId: child.id,
      args: [{ bead: child, definition: CEO_DECISION_DEFINITION, options: { roleQueuePrefix: options.roleQueuePrefix } }],
      // The decision outlives this run if the CEO takes a while and the parent continues as new.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    interp.receive({ type: 'escalationChild', beadId: child.id, at: Date.now() });
    if (decides) {
      childId = child.id;
      handle.result().then(
        (r: BeadResult) => (childEnd = { decision: r.decision, status: r.status }),
        (err: unknown) => (childEnd = { error: innermostMessage(err) }),
      );
    }
  }
  for (;;) {
    await condition(() => inbox.has(OVERRIDE_DUE) || childEnd !== undefined);
    if (inbox.has(OVERRIDE_DUE) || !childId || !childEnd) break;
    const fromChild = overrideFromChild(childId, childEnd);
    const received = fromChild ? interp.receive({ type: 'override', override: fromChild, at: Date.now() }) : { accepted: false };
    childEnd = undefined;
    if (received.accepted) break;
    // The child ended without a usable decision (cancelled, refused): the CEO decides on the parent directly.
    childId = undefined;
  }
  inbox.take(OVERRIDE_DUE);
  const next = interp.apply({ type: 'overrideDue', at: Date.now() });
  if (childId) await closeChild(childId, step.record.resolution ?? 'resolved');
  return next;
}

/** The parent was resolved without the child: cancel the child, saying why. */
async function closeChild(childId: string, resolution: string): Promise<void> {
  const child = getExternalWorkflowHandle(childId);
  try {
    await child.signal(cancelSignal, { by: 'beadflow', reason: `the escalated parent was resolved without this decision (${resolution})` });
    await child.cancel();
  } catch {
    // Already closed: nothing left to close.
  }
}
