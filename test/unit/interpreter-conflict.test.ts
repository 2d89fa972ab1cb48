/** A commit conflict no resolution fixed: the bead escalates with reason `conflict` even when the node has a failure edge. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Interpreter } from '../../src/interpreter';
import { definition, node, type EdgeSpec } from '../fixtures/definitions';
import { testBead } from '../fixtures/drive';

const unresolved = {
  outcome: 'failure' as const,
  summary: "the bead's work conflicts with main in a.txt: 2 resolution(s) failed",
  agent: 'git',
};

function atCommit(extra: EdgeSpec[] = []) {
  const def = definition(
    [node('edit', 'task'), node('land', 'commit', { onConflict: { role: 'Software Engineer', maxResolutions: 2 } })],
    [['', 'edit', 'success'], ['edit', 'land', 'success'], ['land', '', 'success'], ['land', 'edit', 'failure'], ...extra],
  );
  const interp = new Interpreter(def, testBead('b1'));
  const turn = interp.apply({ type: 'begin', at: 0 });
  assert.equal(turn.kind, 'turn');
  const commit = interp.apply({
    type: 'turnDone',
    cursor: 'main',
    result: { outcome: 'success', summary: 'edited', agent: 'a' },
    startedAt: 0,
    at: 1,
  });
  assert.equal(commit.kind, 'commit');
  return interp;
}

describe('unresolved commit conflicts', () => {
  test('escalate to a person naming the files, not the failure edge', () => {
    const interp = atCommit();
    const step = interp.apply({
      type: 'commitConflict',
      cursor: 'main',
      result: unresolved,
      files: ['a.txt', 'b/c.txt'],
      startedAt: 2,
      at: 3,
    });
    assert.equal(step.kind, 'escalated');
    assert.equal(interp.state.status, 'escalated');
    assert.equal(interp.state.escalation?.reason, 'conflict');
    assert.match(interp.state.escalation!.detail, /^"land": unresolved conflict in a\.txt, b\/c\.txt: /);
    assert.ok(interp.state.history.some((e) => e.kind === 'turn' && e.node === 'land' && e.outcome === 'failure'));
  });

  test('an escalated edge, when the definition has one, says where the bead goes', () => {
    const interp = atCommit([['land', '', 'escalated']]);
    const step = interp.apply({ type: 'commitConflict', cursor: 'main', result: unresolved, files: ['a.txt'], startedAt: 2, at: 3 });
    assert.equal(step.kind, 'end');
    assert.equal(interp.state.status, 'escalated');
    assert.equal(interp.state.escalation?.resolution, 'escalated edge to end');
  });
});
