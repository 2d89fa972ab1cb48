/**
 * Subworkflow nodes' effect: start the pinned child definition as a child bead, wait for its end
 * (or the node's deadline, which cancels it) and report the end to the interpreter. Cancelling the
 * parent cancels the child: the child runs in the parent's scope, and the parent closes only once
 * the child's cancellation has finished (bounded), so a closed parent never leaves a running child.
 */
import {
  CancelledFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  condition,
  isCancellation,
  ParentClosePolicy,
  startChild,
} from '@temporalio/workflow';
import type { FinalStatus, Interpreter, Step } from '../interpreter';
import type { RunOptions } from '../shared/bead';
import type { BeadResult } from './bead';
import { innermostMessage, remainingMs, waitUntil } from './waits';
import { hasPatch } from './patches';

/** A new Step kind (old histories never issue it), still guarded per the project's rule for changes to what a bead does. */
const SUBWORKFLOW_PATCH = 'subworkflow';
/** A cancelled parent waits for its child's cancellation to finish before it closes; runs before it closed at once. */
const CANCEL_WAITS_PATCH = 'subworkflow-cancel-waits';
/** Bound on that wait, so a child no worker runs cannot hold the parent's cancellation forever. */
const CHILD_CANCEL_WAIT_MS = 60_000;

type ChildEnd = { status: FinalStatus | 'unknown'; reason: string };

function endOf(err: unknown): ChildEnd {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof CancelledFailure) return { status: 'cancelled', reason: 'the child bead was cancelled' };
  return { status: 'unknown', reason: innermostMessage(err) };
}

export async function runSubworkflow(
  interp: Interpreter,
  options: RunOptions | undefined,
  step: Extract<Step, { kind: 'subworkflow' }>,
): Promise<Step> {
  const startedAt = Date.now();
  const done = (end: ChildEnd) =>
    interp.apply({ type: 'subworkflowDone', cursor: step.cursor, childId: step.childId, ...end, startedAt, at: Date.now() });
  if (!hasPatch(SUBWORKFLOW_PATCH)) return done({ status: 'unknown', reason: 'this run was recorded before sub-workflows existed' });
  let end: ChildEnd | undefined;
  const scope = new CancellationScope();
  const running = scope
    .run(async () => {
      const child = await startChild('beadWorkflow', {
        workflowId: step.childId,
        args: [{ ...step.input, ...(options ? { options } : {}) }],
        ...(options?.workflowTaskQueue ? { taskQueue: options.workflowTaskQueue } : {}),
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      const result: BeadResult = await child.result();
      return { status: result.status as FinalStatus, reason: result.reason };
    })
    .then(
      (value) => (end = value),
      // A parent's cancellation ends here too (the child is cancelled with it); the wait below then throws it to the run loop.
      (err: unknown) => (end = endOf(err)),
    );
  let inTime: boolean;
  try {
    inTime = await waitUntil(() => end !== undefined, remainingMs(step.deadline));
  } catch (err) {
    if (isCancellation(err) && hasPatch(CANCEL_WAITS_PATCH)) {
      await CancellationScope.nonCancellable(() => condition(() => end !== undefined, CHILD_CANCEL_WAIT_MS));
    }
    throw err;
  }
  if (inTime && end) return done(end);
  scope.cancel();
  await running;
  return interp.apply({ type: 'deadline', cursor: step.cursor, at: Date.now() });
}
