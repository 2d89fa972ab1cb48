import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Interpreter } from '../../src/interpreter';
import { bugLike, definition, node } from '../fixtures/definitions';
import { branchSteps, drive, testBead } from '../fixtures/drive';

describe('interpreter: walking the DAG', () => {
  test('a bead with no scenario completes through every node in order', () => {
    const { interp, last, turns } = drive(bugLike(), {});
    assert.deepEqual(last, { kind: 'end', status: 'completed', reason: 'commit_and_push ended the run on success' });
    assert.deepEqual(turns, ['investigate:success', 'pm_review:approved', 'apply_fix:success', 'commit_and_push:success']);
    const moves = interp.state.history.filter((h) => h.kind === 'move').map((h) => `${h.node}>${h.to}:${h.condition}`);
    assert.deepEqual(moves, [
      '>investigate:success',
      'investigate>pm_review:success',
      'pm_review>apply_fix:approved',
      'apply_fix>commit_and_push:success',
      'commit_and_push>:success',
    ]);
    assert.equal(interp.state.status, 'completed');
    assert.equal(interp.state.dispatchCount, 4);
  });

  test('a rejection loops back once, counts a cycle and carries the reason as feedback', () => {
    const { interp, last, turns } = drive(bugLike(), { pm_review: ['rejected', 'approved'] });
    assert.equal(last.kind, 'end');
    assert.deepEqual(turns.slice(0, 4), ['investigate:success', 'pm_review:rejected', 'investigate:success', 'pm_review:approved']);
    assert.equal(interp.state.cycleCount, 1);
    assert.equal(interp.state.feedback, undefined, 'feedback clears once approved');
  });

  test('the highest-priority matching edge wins, the preferred condition breaks ties', () => {
    const def = definition(
      [node('a'), node('b'), node('c')],
      [
        ['', 'a', 'success'],
        ['a', 'b', 'success', 10],
        ['a', 'c', 'success', 20],
        ['b', '', 'success'],
        ['c', '', 'success'],
      ],
    );
    assert.deepEqual(drive(def, {}).turns, ['a:success', 'c:success']);
  });

  test('an approval node maps agent success/failure to approved/rejected', () => {
    const { turns, interp } = drive(bugLike(), { pm_review: ['failure', 'success'] });
    assert.deepEqual(turns.slice(0, 4), ['investigate:success', 'pm_review:failure', 'investigate:success', 'pm_review:success']);
    const decisions = interp.state.history.filter((h) => h.kind === 'decision').map((h) => h.outcome);
    assert.deepEqual(decisions, ['rejected', 'approved']);
  });
});

describe('interpreter: attempts (Loom never enforced max_attempts)', () => {
  test('failures retry with growing backoff up to max_attempts, then the escalated edge ends the run as escalated', () => {
    const interp = new Interpreter(bugLike(), testBead('b'));
    const backoffs: number[] = [];
    let step = interp.apply({ type: 'begin', at: 0 });
    let turns = 0;
    while (step.kind !== 'end') {
      if (step.kind === 'turn') {
        turns++;
        step = interp.apply({
          type: 'turnDone',
          cursor: step.cursor,
          result: { outcome: 'failure', summary: 'nope', agent: 'x' },
          startedAt: 0,
          at: 1,
        });
      } else if (step.kind === 'backoff') {
        backoffs.push(step.ms);
        step = interp.apply({ type: 'backoffDone', cursor: step.cursor, at: 2 });
      } else assert.fail(`unexpected ${step.kind}`);
    }
    assert.equal(turns, 3, 'exactly max_attempts turns');
    assert.deepEqual(backoffs, [10, 20]);
    assert.equal(step.status, 'escalated', 'the escalated -> "" edge fired');
    assert.equal(interp.state.escalation?.reason, 'attempts');
    assert.match(interp.state.escalation?.resolution ?? '', /escalated edge/);
  });

  test('exhausted attempts take the failure edge when there is one', () => {
    const { turns } = drive(bugLike(), { apply_fix: ['failure', 'failure', 'success'] });
    assert.deepEqual(turns.slice(2, 6), ['apply_fix:failure', 'apply_fix:failure', 'investigate:success', 'pm_review:approved']);
  });

  test('an activity error that exhausted its retries counts as an attempt', () => {
    const { turns, last } = drive(bugLike(), { investigate: ['error', 'success'] });
    assert.deepEqual(turns.slice(0, 2), ['investigate:error', 'investigate:success']);
    assert.equal(last.kind, 'end');
  });

  test('without failure or escalated routes the run stays open as escalated; override retry resets attempts', () => {
    const def = definition(
      [node('a', 'task', { maxAttempts: 2 })],
      [
        ['', 'a', 'success'],
        ['a', '', 'success'],
      ],
    );
    const run = drive(def, { a: ['failure', 'failure', 'success'] });
    assert.equal(run.last.kind, 'escalated');
    assert.equal(run.interp.state.status, 'escalated');
    assert.deepEqual(run.interp.state.escalation?.options, ['retry', 'goto', 'continue', 'abort']);
    assert.equal(
      run.interp.receive({ type: 'override', override: { by: 'Product Manager', action: 'retry' }, at: 5 }).accepted,
      false,
      'only the CEO overrides',
    );
    assert.equal(
      run.interp.receive({ type: 'override', override: { by: 'CEO', action: 'retry', reason: 'try again' }, at: 5 }).accepted,
      true,
    );
    const next = run.interp.apply({ type: 'overrideDue', at: 6 });
    assert.deepEqual(next.kind === 'turn' && [next.node, next.attempt], ['a', 1]);
    const done = drive(def, { a: ['success'] }, { interp: run.interp, from: next });
    assert.equal(done.last.kind === 'end' && done.last.status, 'completed');
  });
});

describe('interpreter: cycles', () => {
  test('three rejections escalate instead of looping a third time', () => {
    const { last, turns, interp } = drive(bugLike(), { pm_review: ['rejected'] });
    assert.equal(last.kind, 'escalated');
    assert.equal(turns.filter((t) => t.startsWith('investigate')).length, 3);
    assert.equal(interp.state.escalation?.reason, 'cycles');
    assert.equal(interp.state.cycleCount, 3);
  });

  test('override goto gives the target fresh cycles; continue takes the success route; abort ends aborted', () => {
    const run = drive(bugLike(), { pm_review: ['rejected'] });
    assert.equal(run.interp.receive({ type: 'override', override: { by: 'ceo', action: 'goto', node: 'nowhere' }, at: 1 }).accepted, false);
    assert.equal(
      run.interp.receive({ type: 'override', override: { by: 'ceo', action: 'goto', node: 'apply_fix' }, at: 1 }).accepted,
      true,
    );
    const step = run.interp.apply({ type: 'overrideDue', at: 2 });
    assert.equal(step.kind === 'turn' && step.node, 'apply_fix');

    const again = drive(bugLike(), { pm_review: ['rejected'] });
    again.interp.receive({ type: 'override', override: { by: 'CEO', action: 'continue' }, at: 1 });
    const cont = again.interp.apply({ type: 'overrideDue', at: 2 });
    assert.equal(cont.kind === 'turn' && cont.node, 'apply_fix', 'pm_review success fallback route');

    const third = drive(bugLike(), { pm_review: ['rejected'] });
    third.interp.receive({ type: 'override', override: { by: 'CEO', action: 'abort', reason: 'not worth it' }, at: 1 });
    assert.deepEqual(third.interp.apply({ type: 'overrideDue', at: 2 }), {
      kind: 'end',
      status: 'aborted',
      reason: 'aborted by CEO: not worth it',
    });
  });
});

describe('interpreter: timeouts', () => {
  test('the timeout edge is taken when present', () => {
    const def = definition(
      [node('a'), node('late')],
      [
        ['', 'a', 'success'],
        ['a', '', 'success'],
        ['a', 'late', 'timeout'],
        ['late', '', 'success'],
      ],
    );
    assert.deepEqual(drive(def, { a: ['timeout'] }).turns, ['a:timeout', 'late:success']);
  });

  test('without a timeout edge a task node counts as failed (failure route)', () => {
    const { turns } = drive(bugLike(), { apply_fix: ['timeout', 'success'] });
    assert.deepEqual(turns.slice(2, 4), ['apply_fix:timeout', 'investigate:success']);
  });

  test('an approval that times out with no timeout edge escalates', () => {
    const { last, interp } = drive(bugLike(), { pm_review: ['timeout'] });
    assert.equal(last.kind, 'escalated');
    assert.equal(interp.state.escalation?.reason, 'timeout');
  });

  test('entering a node sets a whole-node deadline', () => {
    const interp = new Interpreter(bugLike({ investigate: { timeoutMs: 60_000 } }), testBead('b'));
    const step = interp.apply({ type: 'begin', at: 1_000 });
    assert.equal(step.kind === 'turn' && step.deadline, 61_000);
  });
});

describe('interpreter: redispatch', () => {
  test('redispatch twice then success: same node, accumulated context, counted', () => {
    const interp = new Interpreter(bugLike(), testBead('b'));
    let step = interp.apply({ type: 'begin', at: 0 });
    for (const outcome of ['redispatch', 'redispatch'] as const) {
      step = interp.apply({
        type: 'turnDone',
        cursor: 'main',
        result: { outcome, summary: `more ${outcome}`, agent: 'x' },
        startedAt: 0,
        at: 1,
      });
      assert.equal(step.kind === 'turn' && step.node, 'investigate');
    }
    assert.equal(step.kind === 'turn' && step.dispatch, 3);
    assert.equal(interp.state.cursors[0].context.length, 2);
    assert.equal(
      interp.state.dispatchCount,
      3,
      'redispatches count as dispatches, each when the interpreter issues it (the third is issued)',
    );
    assert.equal(interp.state.hops, 0, 'and no longer spend max_hops (transitions do)');
  });

  test('redispatch beyond max_dispatches counts as a failure', () => {
    const def = bugLike({ investigate: { maxDispatches: 2, maxAttempts: 1 } });
    const { turns, last } = drive(def, { investigate: ['redispatch'] });
    assert.deepEqual(turns, ['investigate:redispatch', 'investigate:redispatch']);
    assert.equal(last.kind === 'end' && last.status, 'escalated');
  });
});

describe('interpreter: approvals from people', () => {
  const humanOnly = () => bugLike({ pm: { approval: { approvers: ['Product Manager', 'alice'], mode: 'human' } } });

  test('the first valid decision wins; duplicates, strangers and late decisions are recorded, not applied', () => {
    const run = drive(humanOnly(), {});
    assert.equal(run.last.kind, 'approval');
    assert.equal(run.interp.state.status, 'waiting_approval');
    assert.equal(
      run.interp.receive({ type: 'decision', decision: { approve: true, by: 'mallory', reason: 'x', source: 'person' }, at: 1 }).accepted,
      false,
    );
    assert.equal(
      run.interp.receive({
        type: 'decision',
        decision: { approve: false, by: 'PM', reason: 'redo', requestId: 'r1', source: 'person' },
        at: 2,
      }).accepted,
      true,
    );
    assert.equal(
      run.interp.receive({
        type: 'decision',
        decision: { approve: false, by: 'PM', reason: 'redo', requestId: 'r1', source: 'person' },
        at: 3,
      }).accepted,
      false,
    );
    const next = run.interp.apply({ type: 'decisionDue', cursor: 'main', at: 4 });
    assert.equal(next.kind === 'turn' && next.node, 'investigate');
    assert.equal(run.interp.state.feedback, 'pm_review rejected by PM: redo');
    assert.equal(
      run.interp.receive({ type: 'decision', decision: { approve: true, by: 'alice', reason: 'late', source: 'person' }, at: 5 }).accepted,
      false,
    );
    const ignored = run.interp.state.history.filter((h) => h.kind === 'ignored').map((h) => h.summary);
    assert.equal(ignored.length, 3);
    assert.match(ignored[0], /refused: mallory may not decide/);
    assert.match(ignored[1], /ignored: duplicate request r1/);
    assert.match(ignored[2], /not waiting/);
  });

  test('a person cannot decide an agent-only approval', () => {
    const def = bugLike({ pm: { approval: { approvers: [], mode: 'agent' } } });
    const interp = new Interpreter(def, testBead('b'));
    interp.apply({ type: 'begin', at: 0 });
    interp.apply({ type: 'turnDone', cursor: 'main', result: { outcome: 'success', summary: '', agent: 'x' }, startedAt: 0, at: 0 });
    assert.equal(interp.state.status, 'waiting_approval');
    assert.equal(
      interp.receive({ type: 'decision', decision: { approve: true, by: 'PM', reason: '', source: 'person' }, at: 1 }).accepted,
      false,
    );
  });
});

describe('interpreter: parallel fork and merge', () => {
  const forkDef = () =>
    definition(
      [
        node('split', 'parallel'),
        node('left'),
        node('right'),
        node('join', 'merge', { merge: { fork: 'split', wait: 'all' } }),
        node('after'),
      ],
      [
        ['', 'split', 'success'],
        ['split', 'left', 'success'],
        ['split', 'right', 'success'],
        ['left', 'join', 'success'],
        ['right', 'join', 'success'],
        ['right', 'join', 'failure'],
        ['join', 'after', 'success'],
        ['after', '', 'success'],
      ],
    );

  test('branches start together and the merge continues when all arrive', () => {
    const interp = new Interpreter(forkDef(), testBead('b'));
    const fork = interp.apply({ type: 'begin', at: 0 });
    assert.deepEqual(fork.kind === 'fork' && fork.branches, ['left', 'right']);
    const steps = branchSteps(interp.apply({ type: 'fork', cursor: 'main', at: 1 }));
    assert.deepEqual(
      steps.map((s) => s.kind === 'turn' && s.node),
      ['left', 'right'],
    );
    const arrivals = steps.map((s) =>
      interp.apply({
        type: 'turnDone',
        cursor: (s as { cursor: string }).cursor,
        result: { outcome: 'success', summary: 'ok', agent: 'x' },
        startedAt: 1,
        at: 2,
      }),
    );
    assert.deepEqual(
      arrivals.map((a) => a.kind),
      ['arrived', 'arrived'],
    );
    const next = interp.apply({
      type: 'joined',
      cursor: 'main',
      results: [
        { branch: 'split/left', failed: false, summary: '' },
        { branch: 'split/right', failed: false, summary: '' },
      ],
      at: 3,
    });
    assert.equal(next.kind === 'turn' && next.node, 'after');
    assert.equal(interp.state.cursors.length, 1);
  });

  test('a failed branch is reported by the merge, which escalates without a failure route', () => {
    const interp = new Interpreter(forkDef(), testBead('b'));
    interp.apply({ type: 'begin', at: 0 });
    const [, right] = branchSteps(interp.apply({ type: 'fork', cursor: 'main', at: 1 }));
    const r = right as { cursor: string };
    let step = interp.apply({
      type: 'turnDone',
      cursor: r.cursor,
      result: { outcome: 'failure', summary: 'bad', agent: 'x' },
      startedAt: 1,
      at: 2,
    });
    while (step.kind === 'backoff')
      step = interp.apply({
        type: 'turnDone',
        cursor: interp.apply({ type: 'backoffDone', cursor: r.cursor, at: 3 }) && r.cursor,
        result: { outcome: 'failure', summary: 'bad', agent: 'x' },
        startedAt: 1,
        at: 2,
      });
    assert.deepEqual(step, { kind: 'arrived', cursor: 'split/right', node: 'join', failed: true });
    const next = interp.apply({
      type: 'joined',
      cursor: 'main',
      results: [
        { branch: 'split/left', failed: false, summary: '' },
        { branch: 'split/right', failed: true, summary: 'bad' },
      ],
      at: 4,
    });
    assert.equal(next.kind, 'escalated');
    assert.match(interp.state.history.filter((h) => h.kind === 'join')[0].summary, /failed branches: split\/right/);
  });
});
