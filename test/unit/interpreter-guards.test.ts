/** Guards on entry: a false one skips the node as a success (dependants still run), a true one runs it; only under the rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildGuard } from '../../src/dsl/guard';
import { Interpreter } from '../../src/interpreter';
import { contextState, taskFields } from '../../src/interpreter/guards';
import { definition, node } from '../fixtures/definitions';
import { drive, testBead, type Script } from '../fixtures/drive';

const RULES = { stepConditions: true };
// a either succeeds or (after its attempts) fails; both routes lead to b; b guards on a's result; c always follows.
const def = (when: string) =>
  definition(
    [node('a'), node('b', 'task', { guard: buildGuard(when) }), node('c')],
    [
      ['', 'a', 'success'],
      ['a', 'b', 'success'],
      ['a', 'b', 'failure'],
      ['b', 'c', 'success'],
      ['c', '', 'success'],
    ],
  );
const run = (when: string, script: Script, rules = RULES) =>
  drive(def(when), script, { interp: new Interpreter(def(when), testBead('bead-1'), undefined, rules) });

describe('interpreter: guards', () => {
  test('a false guard skips the node, notes it and moves on along its success route', () => {
    const { interp, last, turns } = run("a.status == 'failure'", { a: ['success'] });
    assert.deepEqual(turns, ['a:success', 'c:success']);
    assert.equal(last.kind === 'end' && last.status, 'completed');
    const note = interp.state.history.find((h) => h.kind === 'note' && h.node === 'b');
    assert.equal(note?.outcome, 'skipped');
    assert.match(note!.summary, /"b" skipped: a\.status == 'failure' is false/);
    const moves = interp.state.history.filter((h) => h.kind === 'move').map((h) => `${h.node}>${h.to}`);
    assert.deepEqual(moves, ['>a', 'a>b', 'b>c', 'c>']);
  });

  test('a true guard runs the node', () => {
    const { turns } = run("a.status == 'failure'", { a: ['failure'] });
    assert.deepEqual(turns, ['a:failure', 'a:failure', 'a:failure', 'b:success', 'c:success']);
  });

  test("a skipped node's status reads `skipped`", () => {
    const d = definition(
      [node('a', 'task', { guard: buildGuard('false') }), node('b', 'task', { guard: buildGuard("a.status == 'skipped'") })],
      [
        ['', 'a', 'success'],
        ['a', 'b', 'success'],
        ['b', '', 'success'],
      ],
    );
    assert.deepEqual(drive(d, {}, { interp: new Interpreter(d, testBead('x'), undefined, RULES) }).turns, ['b:success']);
  });

  test("the bead's fields: task.type and task.priority", () => {
    assert.deepEqual(run("task.type == 'feature'", { a: ['success'] }).turns, ['a:success', 'c:success']);
    assert.deepEqual(run("task.type == 'bug' && task.priority == 'P2'", { a: ['success'] }).turns, ['a:success', 'b:success', 'c:success']);
  });

  test('without the rule (runs recorded before guards) the node always runs', () => {
    assert.deepEqual(run('false', { a: ['success'] }, { stepConditions: false }).turns, ['a:success', 'b:success', 'c:success']);
  });

  test('a skipped fork leaves from its merge: no branch runs', () => {
    const d = definition(
      [
        node('p', 'parallel', { guard: buildGuard('false') }),
        node('x'),
        node('y'),
        node('m', 'merge', { merge: { fork: 'p', wait: 'all' } }),
        node('z'),
      ],
      [
        ['', 'p', 'success'],
        ['p', 'x', 'success'],
        ['p', 'y', 'success'],
        ['x', 'm', 'success'],
        ['y', 'm', 'success'],
        ['m', 'z', 'success'],
        ['z', '', 'success'],
      ],
    );
    const { turns, last } = drive(d, {}, { interp: new Interpreter(d, testBead('x'), undefined, RULES) });
    assert.deepEqual(turns, ['z:success']);
    assert.equal(last.kind, 'end');
  });
});

describe("the step format's context.state and task", () => {
  test('<word>_status is pass/fail for the node with that word in its key; <key>_result its outcome', () => {
    const state = contextState({ 'comprehensive-qa': 'success', planning: 'failure' }, { v: 1 });
    assert.equal(state.qa_status, 'pass');
    assert.equal(state.planning_status, 'fail');
    assert.equal(state.planning_result, 'failure');
    assert.equal(state.v, 1);
  });
  test('labels k:v and bare labels become task fields; the bead fields win', () => {
    const task = taskFields({ ...testBead('t'), labels: ['scope:large', 'performance_critical', 'type:x'] });
    assert.equal(task.scope, 'large');
    assert.equal(task.performance_critical, true);
    assert.equal(task.type, 'bug');
  });
});
