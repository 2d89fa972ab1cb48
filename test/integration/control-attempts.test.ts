/**
 * Issue 4: attempts, escalation, cycles, overrides and redispatch on the real server. The first
 * two tests pin Loom's bugs: max_attempts never enforced, escalated edges that never fired.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BeadHarness, moves, state, waitForState } from '../helpers/beads';
import { saveHistory } from '../helpers/histories';
import { startTestEnv } from '../helpers/temporal';
import { bugLike, definition, node } from '../fixtures/definitions';

describe('attempts, escalation, cycles, redispatch', () => {
  let env: TestWorkflowEnvironment;
  let h: BeadHarness;
  let stop: () => Promise<void>;
  before(async () => {
    env = await startTestEnv();
    h = new BeadHarness(env);
    const workers = await h.workers();
    const running = workers.run();
    stop = async () => {
      workers.shutdown();
      await running;
    };
  });
  after(async () => {
    await stop?.();
    await env?.teardown();
  });

  test('max_attempts is enforced, then the escalated edge fires and ends the run as escalated', async () => {
    const handle = await h.start(bugLike(), { scenario: { investigate: ['failure'] } });
    const result = await handle.result();
    assert.equal(result.status, 'escalated');
    assert.deepEqual(h.turnsOf(handle.workflowId), ['investigate:failure', 'investigate:failure', 'investigate:failure']);
    const s = await state(handle);
    assert.deepEqual(
      s.history.filter((e) => e.kind === 'retry').map((e) => e.attempt),
      [1, 2],
    );
    assert.deepEqual(moves(s), ['^>investigate:success', 'investigate>$:escalated']);
    assert.equal(s.escalation?.reason, 'attempts');
    await saveHistory(env, handle.workflowId, 'attempts-escalated-edge');
  });

  test('exhausted attempts take the failure edge when the node has one', async () => {
    const handle = await h.start(bugLike(), { scenario: { apply_fix: ['failure', 'failure', 'success'] } });
    assert.equal((await handle.result()).status, 'completed');
    assert.deepEqual(h.turnsOf(handle.workflowId).slice(2, 5), ['apply_fix:failure', 'apply_fix:failure', 'investigate:success']);
    assert.ok(moves(await state(handle)).includes('apply_fix>investigate:failure'));
  });

  test('no failure or escalated route: open escalation, then override retry, then completion', async () => {
    const def = definition(
      [node('build', 'task', { maxAttempts: 2 }), node('ship')],
      [
        ['', 'build', 'success'],
        ['build', 'ship', 'success'],
        ['ship', '', 'success'],
      ],
    );
    const handle = await h.start(def, { scenario: { build: ['failure', 'failure', 'success'] } });
    let s = await waitForState(handle, (x) => x.status === 'escalated', 'open escalation');
    assert.equal(s.escalation?.reason, 'attempts');
    assert.match(s.escalation?.detail ?? '', /failed 2 of 2 attempts/);
    assert.deepEqual(s.escalation?.options, ['retry', 'goto', 'continue', 'abort']);
    assert.equal((await handle.describe()).searchAttributes.BeadStatus?.[0], 'escalated');
    await handle.signal('override', { by: 'Product Manager', action: 'abort' });
    await handle.signal('override', { by: 'CEO', action: 'retry', reason: 'flaky runner' });
    assert.equal((await handle.result()).status, 'completed');
    s = await state(handle);
    assert.match(s.history.find((e) => e.kind === 'ignored')?.summary ?? '', /only the CEO may override/);
    assert.equal(s.history.find((e) => e.kind === 'override')?.outcome, 'retry');
    assert.deepEqual(h.turnsOf(handle.workflowId), ['build:failure', 'build:failure', 'build:success', 'ship:success']);
    await saveHistory(env, handle.workflowId, 'attempts-open-escalation-override-retry');
  });

  test('an escalation starts a P0 "CEO decision" child bead when the definition asks for one', async () => {
    const def = definition(
      [node('build', 'task', { maxAttempts: 1 })],
      [
        ['', 'build', 'success'],
        ['build', '', 'success'],
      ],
      { escalation: { childBead: true } },
    );
    const handle = await h.start(def, { scenario: { build: ['failure'] }, bead: { title: 'Nightly build broke' } });
    const parent = await waitForState(handle, (x) => !!x.escalation?.childBeadId, 'the child bead id in the escalation record');
    const child = env.client.workflow.getHandle(parent.escalation!.childBeadId!);
    const c = await waitForState(child as never, (x) => x.status === 'waiting_approval', 'the CEO decision bead waits for the CEO');
    assert.equal(c.title, 'CEO decision: Nightly build broke');
    assert.equal(c.requiredRole, 'CEO');
    assert.equal((await child.describe()).searchAttributes.RequiredRole?.[0], 'ceo');
    // The child's decision is the parent's override: an explicit action here, approve alone would continue.
    await child.signal('approve', { by: 'CEO', reason: 'abort it', action: 'abort' });
    assert.equal((await handle.result()).status, 'aborted');
    assert.equal(((await child.result()) as { status: string }).status, 'completed');
    const p = await state(handle);
    assert.match(p.history.find((e) => e.kind === 'override')?.summary ?? '', new RegExp(`decided in ${child.workflowId}: abort it`));
    await saveHistory(env, handle.workflowId, 'escalation-ceo-child-bead');
  });

  test('approving the CEO decision bead continues its parent; a direct override closes the open child', async () => {
    const def = definition(
      [node('build', 'task', { maxAttempts: 1 }), node('ship')],
      [
        ['', 'build', 'success'],
        ['build', 'ship', 'success'],
        ['ship', '', 'success'],
      ],
      { escalation: { childBead: true } },
    );
    const first = await h.start(def, { scenario: { build: ['failure'] } });
    const p1 = await waitForState(first, (x) => !!x.escalation?.childBeadId, 'first child started');
    const child1 = env.client.workflow.getHandle(p1.escalation!.childBeadId!);
    await waitForState(child1 as never, (x) => x.status === 'waiting_approval', 'child waits for the CEO');
    await child1.executeUpdate('approve', { args: [{ by: 'CEO', reason: 'ship it anyway' }] });
    assert.equal((await first.result()).status, 'completed');
    assert.deepEqual(moves(await state(first)).slice(-2), ['build>ship:success', 'ship>$:success']);

    const second = await h.start(def, { scenario: { build: ['failure'] } });
    const p2 = await waitForState(second, (x) => !!x.escalation?.childBeadId, 'second child started');
    assert.notEqual(p2.escalation!.childBeadId, p1.escalation!.childBeadId);
    const child2 = env.client.workflow.getHandle(p2.escalation!.childBeadId!);
    await waitForState(child2 as never, (x) => x.status === 'waiting_approval', 'child waits for the CEO');
    await second.signal('override', { by: 'CEO', action: 'abort', reason: 'not worth it' });
    assert.equal((await second.result()).status, 'aborted');
    await assert.rejects(child2.result());
    assert.equal((await child2.describe()).status.name, 'CANCELLED');
    const c2 = await state(child2 as never);
    assert.match(c2.endReason ?? '', /cancelled by beadflow: the escalated parent was resolved without this decision \(abort by CEO\)/);
  });

  test('three rejections escalate instead of looping again; override goto moves on', async () => {
    const handle = await h.start(bugLike(), { scenario: { pm_review: ['rejected'] } });
    const s = await waitForState(handle, (x) => x.status === 'escalated', 'escalated on cycles');
    assert.equal(s.escalation?.reason, 'cycles');
    assert.equal(s.cycleCount, 3);
    assert.equal(h.turnsOf(handle.workflowId).filter((t) => t.startsWith('investigate')).length, 3);
    await handle.signal('override', { by: 'CEO', action: 'goto', node: 'apply_fix' });
    assert.equal((await handle.result()).status, 'completed');
    await saveHistory(env, handle.workflowId, 'cycles-escalation-override-goto');
  });

  test('redispatch twice then success: one node, three dispatches, counted', async () => {
    const handle = await h.start(bugLike(), { scenario: { investigate: ['redispatch', 'redispatch', 'success'] } });
    assert.equal((await handle.result()).status, 'completed');
    const s = await state(handle);
    const turns = s.history.filter((e) => e.kind === 'turn' && e.node === 'investigate');
    assert.deepEqual(
      turns.map((e) => `${e.outcome}#${e.dispatch}`),
      ['redispatch#1', 'redispatch#2', 'success#3'],
    );
    assert.equal(s.dispatchCount, 6);
    await saveHistory(env, handle.workflowId, 'redispatch-twice');
  });

  test('redispatch past max_dispatches counts as a failed attempt', async () => {
    const def = bugLike({ investigate: { maxDispatches: 2, maxAttempts: 1 } });
    const handle = await h.start(def, { scenario: { investigate: ['redispatch'] } });
    assert.equal((await handle.result()).status, 'escalated');
    assert.deepEqual(h.turnsOf(handle.workflowId), ['investigate:redispatch', 'investigate:redispatch']);
  });
});
