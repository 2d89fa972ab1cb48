/** Decisions as Updates, hostile payloads and garbage starts: nothing a sender does can kill a bead. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BeadHarness, settledEventCount, startParked, moves, state, waitForState } from '../helpers/beads';
import { startTestEnv, testTemporalBinary, uniqueId } from '../helpers/temporal';
import { bugLike, humanReview } from '../fixtures/definitions';
import { approveUpdate, DECISION_REFUSED, rejectUpdate } from '../../src/workflows/messages';
import { LIMITS } from '../../src/shared/limits';

const run = promisify(execFile);

async function eventCount(env: TestWorkflowEnvironment, workflowId: string): Promise<number> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

/** The failure an Update refusal carries: ApplicationFailure of type DecisionRefused. */
async function refusal(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => assert.fail('the Update was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
  const cause = err.cause;
  assert.ok(cause instanceof ApplicationFailure, `cause ${String(cause)}`);
  assert.equal(cause.type, DECISION_REFUSED);
  return cause;
}

describe('decision Updates and hostile input', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startTestEnv()));
  after(async () => env?.teardown());

  test('the plain `temporal workflow update execute` approves and prints the edge taken', async () => {
    const bin = await testTemporalBinary();
    assert.ok('path' in bin && bin.path, 'a temporal CLI binary');
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const { stdout } = await run(bin.path!, [
        'workflow',
        'update',
        'execute',
        '--address',
        env.address,
        '--workflow-id',
        handle.workflowId,
        '--name',
        'approve',
        '--input',
        JSON.stringify({ by: 'Product Manager', reason: 'ok' }),
        '--output',
        'json',
      ]);
      assert.match(stdout, /"from":\s*"pm_review"/);
      assert.match(stdout, /"to":\s*"apply_fix"/);
      assert.match(stdout, /"condition":\s*"approved"/);
      assert.equal((await handle.result()).status, 'completed');
    });
  });

  test('an accepted Update returns the edge and the new state; a refused one writes no history', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const before = await settledEventCount(handle);
      const stranger = await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'Mallory', reason: 'lgtm' }] }));
      assert.match(stranger.message, /Mallory may not decide "pm_review"/);
      const noBy = await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: ['CEO'] as unknown as string }] }));
      assert.match(noBy.message, /"by" must be a string/);
      const huge = await refusal(
        handle.executeUpdate(rejectUpdate, { args: [{ by: 'Product Manager', reason: 'x'.repeat(LIMITS.reasonChars + 1) }] }),
      );
      assert.match(huge.message, /"reason" is \d+ characters; the limit is/);
      assert.equal(await eventCount(env, handle.workflowId), before, 'refused Updates add no events');

      const result = await handle.executeUpdate(rejectUpdate, {
        args: [{ by: 'Product Manager', reason: 'look again', requestId: 'r-1' }],
      });
      assert.equal(result.decision, 'rejected');
      assert.deepEqual(result.edge, { from: 'pm_review', to: 'investigate', condition: 'rejected' });
      assert.equal(result.state.beadId, handle.workflowId);
      await waitForState(handle, (x) => x.status === 'waiting_approval' && x.cycleCount === 1, 'back at pm_review');
      const dup = await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'Product Manager', requestId: 'r-1' }] }));
      assert.match(dup.message, /duplicate request r-1/);
      const ok = await handle.executeUpdate(approveUpdate, { args: [{ by: 'product-manager', reason: 'fine' }] });
      assert.equal(ok.edge?.to, 'apply_fix');
      assert.equal((await handle.result()).status, 'completed');
    });
  });

  test('megabyte signals are refused or cut, never terminate the bead; a refusal does not burn the requestId', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const mb = 'M'.repeat(1_000_000);
      await handle.signal('approve', { by: mb, node: mb, reason: 'hi' });
      await handle.signal('approve', { by: mb, node: mb, reason: 'again' });
      await handle.signal('approve', { by: 'Mallory', requestId: 'shared-id' });
      let s = await waitForState(handle, (x) => x.history.filter((e) => e.kind === 'ignored').length === 3, 'three refusals recorded');
      const ignored = s.history.filter((e) => e.kind === 'ignored');
      assert.ok(
        ignored.every((e) => (e.actor ?? '').length < 300 && e.node.length < 300),
        'refused fields are kept short',
      );
      assert.match(ignored[0].summary, /"by" is 1000000 characters/);
      // The real approver's decision with the id the stranger used still applies; its 1.1 MB reason is cut.
      await handle.signal('reject', { by: 'Product Manager', reason: 'R'.repeat(1_100_000), requestId: 'shared-id' });
      s = await waitForState(handle, (x) => x.status === 'waiting_approval' && x.cycleCount === 1, 'rejected and back at pm_review');
      assert.ok((s.feedback ?? '').length <= LIMITS.reasonChars + 200, `feedback is ${s.feedback?.length} chars`);
      assert.ok(JSON.stringify(s).length < 1_000_000, 'the state query stays small');
      await handle.signal('approve', { by: 'Product Manager' });
      assert.equal((await handle.result()).status, 'completed');
      assert.ok(moves(await state(handle)).includes('pm_review>investigate:rejected'));
    });
  });

  test('garbage start inputs fail the run with InvalidBeadInput instead of retrying a workflow task', async () => {
    const h = new BeadHarness(env);
    const good = { bead: { id: 'x', title: 't', type: 'bug', description: '', priority: 'P2', labels: [] }, definition: humanReview() };
    const garbage: Array<[string, unknown[]]> = [
      ['null', [null]],
      ['no input', []],
      ['bead without an id', [{ ...good, bead: { ...good.bead, id: 42 } }]],
      ['null node', [{ ...good, definition: { ...good.definition, nodes: [null] } }]],
      ['null edge', [{ ...good, definition: { ...good.definition, edges: [null] } }]],
      ['bad resume', [{ ...good, resume: { beadId: 'x', status: 'dancing', cursors: 'no' } }]],
    ];
    await (
      await h.workers({ roles: [] })
    ).runUntil(async () => {
      for (const [what, args] of garbage) {
        const id = uniqueId('garbage');
        const handle = await env.client.workflow.start('beadWorkflow', { workflowId: id, taskQueue: h.taskQueue, args });
        const err = await handle.result().then(
          () => assert.fail(`${what}: the run completed`),
          (e: unknown) => e as { cause?: unknown },
        );
        const cause = err.cause;
        assert.ok(cause instanceof ApplicationFailure, `${what}: ${String(cause)}`);
        assert.equal(cause.type, 'InvalidBeadInput', what);
        assert.match(cause.message, /start input is invalid/, what);
        const failedTasks = (await handle.fetchHistory()).events?.filter((e) => e.workflowTaskFailedEventAttributes).length ?? 0;
        assert.equal(failedTasks, 0, `${what}: no workflow task failed`);
      }
    });
  });

  test('a node whose role no worker serves escalates with no_worker_for_role after its role_wait', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const def = bugLike({ investigate: { role: 'Data Scientist', roleWaitMs: 1_500 } });
      const handle = await h.start(def);
      const result = await handle.result();
      assert.equal(result.status, 'escalated');
      const s = await state(handle);
      assert.equal(s.escalation?.reason, 'no_worker_for_role');
      assert.match(s.escalation?.detail ?? '', /no worker serves role "Data Scientist"/);
      assert.deepEqual((await handle.describe()).searchAttributes.BeadStatus, ['escalated']);
    });
  });

  test('a cancelled bead ends cancelled: state, search attribute and Temporal status', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      await handle.signal('cancel', { by: 'Operator', reason: 'duplicate of another bead' });
      await handle.cancel();
      await assert.rejects(handle.result());
      const d = await handle.describe();
      assert.equal(d.status.name, 'CANCELLED');
      assert.deepEqual(d.searchAttributes.BeadStatus, ['cancelled']);
      const s = await state(handle);
      assert.equal(s.status, 'cancelled');
      assert.match(s.endReason ?? '', /cancelled by Operator: duplicate of another bead/);
    });
  });
});
