/** Subworkflow nodes: the Step carries the child bead's input; the child's end routes the node. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Interpreter } from '../../src/interpreter';
import type { Step } from '../../src/interpreter';
import type { FinalStatus } from '../../src/interpreter/types';
import { subworkflowOutcome } from '../../src/interpreter/subworkflow';
import { definition, node } from '../fixtures/definitions';
import { testBead } from '../fixtures/drive';

const child = definition(
  [node('work', 'task')],
  [
    ['', 'work', 'success'],
    ['work', '', 'success'],
  ],
  { id: 'child' },
);
const grandchild = definition(
  [node('deep', 'task')],
  [
    ['', 'deep', 'success'],
    ['deep', '', 'success'],
  ],
  { id: 'grand' },
);

function parent(maxAttempts = 1) {
  return definition(
    [node('sub', 'subworkflow', { subworkflow: { definition: 'child' }, maxAttempts }), node('fix', 'task')],
    [
      ['', 'sub', 'success'],
      ['sub', '', 'success'],
      ['sub', 'fix', 'failure'],
      ['fix', '', 'success'],
    ],
    { id: 'parent', subworkflows: { child, grand: grandchild } },
  );
}

function started(maxAttempts = 1): { interp: Interpreter; step: Extract<Step, { kind: 'subworkflow' }> } {
  const interp = new Interpreter(parent(maxAttempts), testBead('b1'));
  const step = interp.apply({ type: 'begin', at: 0 });
  assert.equal(step.kind, 'subworkflow');
  return { interp, step: step as Extract<Step, { kind: 'subworkflow' }> };
}

const done = (status: FinalStatus, childId: string) =>
  ({ type: 'subworkflowDone', cursor: 'main', childId, status, reason: '', startedAt: 1, at: 2 }) as const;

describe('subworkflow nodes', () => {
  test('the step carries the child bead, named after the parent and node, with the pinned definition', () => {
    const { step } = started();
    assert.equal(step.childId, 'b1/sub/sub/1');
    assert.equal(step.input.bead.id, step.childId);
    assert.equal(step.input.bead.parentId, 'b1');
    assert.equal(step.input.definition.id, 'child');
    // The child carries the root's pins, so its own subworkflow nodes resolve without files.
    assert.ok(step.input.definition.subworkflows?.grand);
  });

  test('a completed child routes the success edge and the parent completes', () => {
    const { interp, step } = started();
    const next = interp.apply(done('completed', step.childId));
    assert.deepEqual(next.kind === 'end' && next.status, 'completed');
    assert.ok(interp.state.history.some((e) => e.node === 'sub' && e.outcome === 'success' && e.actor === 'b1/sub/sub/1'));
  });

  for (const status of ['failed', 'aborted', 'escalated', 'cancelled'] as const) {
    test(`a ${status} child routes the failure edge`, () => {
      const { interp, step } = started();
      const next = interp.apply(done(status, step.childId));
      assert.equal(next.kind, 'turn');
      assert.equal(next.kind === 'turn' && next.node, 'fix');
    });
  }

  test('a failed child with attempts left is retried as a new child bead', () => {
    const { interp, step } = started(2);
    const backoff = interp.apply(done('failed', step.childId));
    assert.equal(backoff.kind, 'backoff');
    const again = interp.apply({ type: 'backoffDone', cursor: 'main', at: 5000 });
    assert.equal(again.kind === 'subworkflow' && again.childId, 'b1/sub/sub/2');
  });

  test('the deadline routes like any timed-out node', () => {
    const { interp } = started();
    const next = interp.apply({ type: 'deadline', cursor: 'main', at: 3 });
    assert.equal(next.kind === 'turn' && next.node, 'fix');
  });

  test('only completed is a success', () => {
    assert.equal(subworkflowOutcome('completed'), 'success');
    for (const s of ['failed', 'aborted', 'escalated', 'cancelled', 'unknown'] as const) assert.equal(subworkflowOutcome(s), 'failure');
  });
});
