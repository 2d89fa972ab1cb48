/** Issue 4: approvals from people — the temporal CLI, our CLI, duplicates, strangers, timeouts. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BeadHarness, startParked, moves, state, waitForState } from '../helpers/beads';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, testTemporalBinary } from '../helpers/temporal';
import { definition, humanReview, node } from '../fixtures/definitions';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/beadflow.js');

describe('approvals', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startTestEnv()));
  after(async () => env?.teardown());

  test('reject → loop → approve, sent with the plain `temporal workflow signal` command', async () => {
    const bin = await testTemporalBinary();
    assert.ok('path' in bin && bin.path, 'a temporal CLI binary');
    const signal = (id: string, name: string, input: object) =>
      run(bin.path!, [
        'workflow',
        'signal',
        '--address',
        env.address,
        '--workflow-id',
        id,
        '--name',
        name,
        '--input',
        JSON.stringify(input),
      ]);
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await h.start(humanReview());
      let s = await waitForState(handle, (x) => x.status === 'waiting_approval', 'waiting for pm_review');
      assert.equal(s.requiredRole, 'Product Manager');
      const d = await handle.describe();
      assert.deepEqual(d.searchAttributes.RequiredRole, ['product-manager']);
      await signal(handle.workflowId, 'reject', { by: 'Product Manager', reason: 'root cause is elsewhere' });
      s = await waitForState(handle, (x) => x.status === 'waiting_approval' && x.cycleCount === 1, 'back at pm_review after one loop');
      assert.equal(s.feedback, 'pm_review rejected by Product Manager: root cause is elsewhere');
      await signal(handle.workflowId, 'approve', { by: 'Product Manager', reason: 'ok' });
      assert.equal((await handle.result()).status, 'completed');
      s = await state(handle);
      assert.deepEqual(moves(s).slice(0, 5), [
        '^>investigate:success',
        'investigate>pm_review:success',
        'pm_review>investigate:rejected',
        'investigate>pm_review:success',
        'pm_review>apply_fix:approved',
      ]);
      const investigations = s.history.filter((e) => e.kind === 'turn' && e.node === 'investigate');
      assert.match(investigations[1].summary, /feedback seen: pm_review rejected by Product Manager: root cause is elsewhere/);
      await saveHistory(env, handle.workflowId, 'approvals-temporal-cli-reject-approve');
    });
  });

  test('duplicates, strangers and late decisions are recorded and never applied; our CLI reports refusals', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const cli = (...args: string[]) =>
        run('node', [BIN, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: env.address } }).catch(
          (e: { code: number; stderr: string }) => e,
        );
      const refused = (await cli('approve', handle.workflowId, '--by', 'Mallory', '--reason', 'lgtm')) as { code: number; stderr: string };
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Mallory may not decide "pm_review" \(approvers: Product Manager\)/);
      // The CLI's Update refusal writes nothing; the same decision as a plain signal is recorded as refused.
      await handle.signal('approve', { by: 'Mallory', reason: 'lgtm' });
      await handle.signal('reject', { by: 'PM', reason: 'first', requestId: 'req-1' });
      await handle.signal('reject', { by: 'PM', reason: 'first again', requestId: 'req-1' });
      await waitForState(handle, (x) => x.status === 'waiting_approval' && x.cycleCount === 1, 'back at pm_review');
      const ok = await cli('approve', handle.workflowId, '--by', 'product-manager', '--reason', 'fine');
      assert.ok(!('code' in ok) || ok.code === 0, JSON.stringify(ok));
      assert.equal((await handle.result()).status, 'completed');
      const late = (await cli('approve', handle.workflowId, '--by', 'Product Manager')) as { code: number; stderr: string };
      assert.equal(late.code, 1);
      assert.match(late.stderr, /no longer running \(Temporal says completed\)/);
      await handle.signal('approve', { by: 'Product Manager' }).catch(() => undefined); // closed: Temporal refuses it
      const s = await state(handle);
      assert.deepEqual(
        s.history.filter((e) => e.kind === 'decision').map((e) => `${e.outcome}:${e.actor}`),
        ['rejected:PM', 'approved:product-manager'],
      );
      const ignored = s.history.filter((e) => e.kind === 'ignored').map((e) => e.summary);
      assert.equal(ignored.length, 2, JSON.stringify(ignored));
      assert.match(ignored[0], /refused: Mallory may not decide/);
      assert.match(ignored[1], /ignored: duplicate request req-1/);
      await saveHistory(env, handle.workflowId, 'approvals-duplicates-and-strangers');
    });
  });

  test('an approval that times out takes its timeout edge; without one the bead escalates', async () => {
    const withEdge = definition(
      [node('review', 'approval', { timeoutMs: 1_500, approval: { approvers: [], mode: 'human' } }), node('nudge')],
      [
        ['', 'review', 'success'],
        ['review', '', 'approved'],
        ['review', 'nudge', 'timeout'],
        ['nudge', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const timed = await h.start(withEdge);
      assert.equal((await timed.result()).status, 'completed');
      assert.deepEqual(moves(await state(timed)), ['^>review:success', 'review>nudge:timeout', 'nudge>$:success']);
      await saveHistory(env, timed.workflowId, 'approvals-timeout-edge');

      const noEdge = await h.start(humanReview({ timeoutMs: 1_500 }));
      const s = await waitForState(noEdge, (x) => x.status === 'escalated', 'escalated after the approval timeout');
      assert.equal(s.escalation?.reason, 'timeout');
      assert.equal(s.requiredRole, 'CEO');
      await noEdge.signal('override', { by: 'CEO', action: 'abort', reason: 'stale' });
      assert.equal((await noEdge.result()).status, 'aborted');
    });
  });
});
