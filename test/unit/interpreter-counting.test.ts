/** max_hops counts node transitions; max_dispatches limits redispatches; cycle_scope picks what max_cycles counts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Interpreter } from '../../src/interpreter';
import { drive, testBead } from '../fixtures/drive';
import { definition, node } from '../fixtures/definitions';

// a ⇄ b loop: b fails back to a until it succeeds.
const loop = (over = {}, nodeOver = {}) =>
  definition(
    [node('a', 'task', nodeOver), node('b', 'task', { maxAttempts: 1, ...nodeOver })],
    [
      ['', 'a', 'success'],
      ['a', 'b', 'success'],
      ['b', 'a', 'failure'],
      ['b', '', 'success'],
    ],
    over,
  );

describe('counting', () => {
  test('max_hops counts transitions and escalates with reason hops', () => {
    // start→a, a→b, b→a, a→b: the fourth transition is over a budget of 3.
    const { interp, last } = drive(loop({ maxHops: 3 }, { maxCycles: 10 }), { b: ['failure', 'failure', 'success'] });
    assert.equal(last.kind, 'escalated');
    assert.equal(interp.state.escalation?.reason, 'hops');
    assert.match(interp.state.escalation?.detail ?? '', /took 3 transitions \(max_hops\)/);
    assert.equal(interp.state.transitions, 4);
  });

  test('within max_hops the loop completes, and a CEO retry after hops gets a fresh budget', () => {
    const ok = drive(loop({ maxHops: 10 }, { maxCycles: 10 }), { b: ['failure', 'success'] });
    assert.equal(ok.interp.state.status, 'completed');
    const stuck = drive(loop({ maxHops: 2 }, { maxCycles: 10 }), { b: ['failure', 'success'] });
    assert.equal(stuck.interp.state.escalation?.reason, 'hops');
    stuck.interp.receive({ type: 'override', override: { by: 'CEO', action: 'retry' }, at: 5_000 });
    const resumed = drive(
      stuck.interp.def,
      { b: ['success'] },
      { interp: stuck.interp, from: stuck.interp.apply({ type: 'overrideDue', at: 5_001 }) },
    );
    assert.equal(resumed.interp.state.status, 'completed');
  });

  test('redispatches are limited by max_dispatches, not max_hops', () => {
    const def = definition(
      [node('a', 'task', { maxDispatches: 3, maxAttempts: 1 })],
      [
        ['', 'a', 'success'],
        ['a', '', 'success'],
      ],
      { maxHops: 1 },
    );
    const { interp, turns } = drive(def, { a: ['redispatch', 'redispatch', 'success'] });
    assert.deepEqual(turns, ['a:redispatch', 'a:redispatch', 'a:success']);
    assert.equal(interp.state.status, 'completed');
  });

  test('runs recorded before the change keep spending hops on redispatches', () => {
    const def = definition(
      [node('a', 'task', { maxDispatches: 9, maxAttempts: 1 })],
      [
        ['', 'a', 'success'],
        ['a', '', 'success'],
        ['a', '', 'failure'],
      ],
      { maxHops: 1 },
    );
    const interp = new Interpreter(def, testBead('old'), undefined, { hopsCountRedispatches: true });
    const { turns } = drive(def, { a: ['redispatch', 'redispatch', 'success'] }, { interp });
    assert.deepEqual(turns, ['a:redispatch', 'a:redispatch']);
    assert.equal(interp.state.status, 'failed');
  });

  test('cycle_scope global counts every re-entry together; node counts each node', () => {
    // a is re-entered once and b twice: three re-entries in all, two at most per node.
    const nodes = [
      node('a', 'task', { maxCycles: 3 }),
      node('b', 'task', { maxAttempts: 1, maxCycles: 3 }),
      node('c', 'task', { maxAttempts: 1, maxCycles: 3 }),
    ];
    const edges: Parameters<typeof definition>[1] = [
      ['', 'a', 'success'],
      ['a', 'b', 'success'],
      ['b', 'a', 'failure'],
      ['b', 'c', 'success'],
      ['c', 'b', 'failure'],
      ['c', '', 'success'],
    ];
    const script = { b: ['failure', 'success', 'success'] as const, c: ['failure', 'success'] as const };
    const perNode = drive(definition(nodes, edges), { b: [...script.b], c: [...script.c] });
    assert.equal(perNode.interp.state.status, 'completed');
    const global = drive(definition(nodes, edges, { cycleScope: 'global' }), { b: [...script.b], c: [...script.c] });
    assert.equal(global.interp.state.escalation?.reason, 'cycles');
  });
});
