/**
 * Issue 4: rules that must hold across time and crashes — node timeouts that cancel the agent,
 * a worker replaced mid-run, continue-as-new, parallel branches, a broken definition.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AgentProvider } from '../../src/activities/agents/provider';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { startBeadRun } from '../../src/client/start';
import { BeadHarness, moves, state } from '../helpers/beads';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';
import { bugLike, definition, node } from '../fixtures/definitions';

describe('durability', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startTestEnv()));
  after(async () => env?.teardown());

  test('a node that times out while its agent sleeps: the agent is cancelled and the timeout edge is taken', async () => {
    const def = definition(
      [node('investigate', 'task', { timeoutMs: 1_500 }), node('triage')],
      [
        ['', 'investigate', 'success'],
        ['investigate', '', 'success'],
        ['investigate', 'triage', 'timeout'],
        ['triage', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await h.start(def, { scenario: { investigate: ['sleep:30s'] }, options: { heartbeatTimeoutMs: 1_000 } });
      assert.equal((await handle.result()).status, 'completed');
      assert.deepEqual(moves(await state(handle)), ['^>investigate:success', 'investigate>triage:timeout', 'triage>$:success']);
      await waitFor(() => h.turns.some((t) => t.beadId === handle.workflowId && t.node === 'investigate' && t.phase === 'cancelled'), {
        what: 'the sleeping agent saw its cancellation',
      });
      // The deadline rode on the turn's activity: no timer of the node's 1.5 s (the one timer left
      // is the ledger's bounded flush at the end).
      const events = (await handle.fetchHistory()).events ?? [];
      const timers = events.map((e) => e.timerStartedEventAttributes?.startToFireTimeout).filter((t) => t != null);
      assert.deepEqual(
        timers.filter((t) => Number(t.seconds ?? 0) < 2),
        [],
        'no deadline timer',
      );
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'agentTurn');
      assert.ok(scheduled?.activityTaskScheduledEventAttributes?.scheduleToCloseTimeout, 'the turn carries the deadline');
      await saveHistory(env, handle.workflowId, 'timeout-on-activity');
    });
  });

  test('a turn whose retries cannot fit before the deadline takes the timeout edge, not the failure edge', async () => {
    const def = definition(
      [node('investigate', 'task', { timeoutMs: 2_500 }), node('triage'), node('fixup')],
      [
        ['', 'investigate', 'success'],
        ['investigate', '', 'success'],
        ['investigate', 'triage', 'timeout'],
        ['investigate', 'fixup', 'failure'],
        ['triage', '', 'success'],
        ['fixup', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    let calls = 0;
    const flaky: AgentProvider = {
      name: 'flaky',
      async runTurn(input, ctx) {
        if (input.node.key !== 'investigate') return new ScriptedAgent().runTurn(input, ctx);
        calls++;
        throw new Error('the agent crashed (a retryable failure)');
      },
    };
    await (
      await h.workers({ provider: flaky })
    ).runUntil(async () => {
      const handle = await h.start(def);
      assert.equal((await handle.result()).status, 'completed');
      assert.deepEqual(moves(await state(handle)), ['^>investigate:success', 'investigate>triage:timeout', 'triage>$:success']);
      assert.ok(calls >= 2, `the activity was retried before the deadline (${calls} attempts)`);
    });
  });

  test('the worker stopped and a new one started mid-run: the bead finishes and nothing completed runs again', async () => {
    const h = new BeadHarness(env);
    const scenario = { apply_fix: ['sleep:2s'] };
    const first = await h.workers();
    const running = first.run();
    const handle = await h.start(bugLike(), { scenario, options: { heartbeatTimeoutMs: 1_000 } });
    await waitFor(() => h.turns.some((t) => t.beadId === handle.workflowId && t.node === 'apply_fix' && t.phase === 'start'), {
      what: 'apply_fix started on the first worker',
    });
    first.shutdown();
    await running;
    const second = await h.workers();
    await second.runUntil(async () => {
      assert.equal((await handle.result()).status, 'completed');
      const done = h.turnsOf(handle.workflowId);
      for (const key of ['investigate', 'pm_review'])
        assert.equal(done.filter((t) => t.startsWith(key)).length, 1, `${key} ran once: ${done}`);
      const s = await state(handle);
      assert.equal(
        s.history.filter((e) => e.kind === 'turn' && e.node === 'apply_fix').length,
        1,
        'apply_fix counted once: the crash was not an attempt',
      );
      assert.equal(s.history.filter((e) => e.kind === 'turn' && e.node === 'commit_and_push').length, 1, 'the commit node ran once');
      await saveHistory(env, handle.workflowId, 'worker-replaced-mid-run');
    });
  });

  test('continue-as-new carries the state: a long loop stays within a small history and approvals still land', async () => {
    const def = bugLike({ investigate: { maxCycles: 20 }, pm: { maxCycles: 20, approval: { approvers: [], mode: 'any' } } });
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await h.start(def, {
        scenario: { pm_review: ['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'approved'] },
        options: { continueAsNewAfterEvents: 40 },
      });
      assert.equal((await handle.result()).status, 'completed');
      const d = await handle.describe();
      assert.notEqual(d.runId, handle.firstExecutionRunId, 'the run continued as new');
      const s = await state(handle);
      assert.deepEqual(
        s.history.map((e) => e.seq),
        s.history.map((_, i) => i + 1),
        'history carried over without gaps',
      );
      assert.equal(s.cycleCount, 5);
      assert.equal(s.history.filter((e) => e.kind === 'decision').length, 6);
      await saveHistory(env, handle.workflowId, 'continue-as-new-final-run', d.runId);
      await saveHistory(env, handle.workflowId, 'continue-as-new-first-run', handle.firstExecutionRunId);
    });
  });

  test('a parallel fork runs its branches at once and the merge continues when both arrive', async () => {
    const def = definition(
      [
        node('split', 'parallel'),
        node('backend'),
        node('frontend', 'task', { role: 'Web Designer' }),
        node('join', 'merge', { merge: { fork: 'split', wait: 'all' } }),
        node('ship'),
      ],
      [
        ['', 'split', 'success'],
        ['split', 'backend', 'success'],
        ['split', 'frontend', 'success'],
        ['backend', 'join', 'success'],
        ['frontend', 'join', 'success'],
        ['join', 'ship', 'success'],
        ['ship', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await h.start(def, { scenario: { backend: ['sleep:1s'], frontend: ['sleep:1s'] } });
      assert.equal((await handle.result()).status, 'completed');
      const at = (n: string, p: string) => h.turns.find((t) => t.beadId === handle.workflowId && t.node === n && t.phase === p)!.at;
      assert.ok(
        at('backend', 'start') < at('frontend', 'end') && at('frontend', 'start') < at('backend', 'end'),
        'the branch turns overlapped in time',
      );
      const s = await state(handle);
      const join = s.history.find((e) => e.kind === 'join');
      assert.match(join?.summary ?? '', /split\/backend: ok/);
      assert.match(join?.summary ?? '', /split\/frontend: ok/);
      assert.ok(at('ship', 'start') > Math.max(at('backend', 'end'), at('frontend', 'end')));
      await saveHistory(env, handle.workflowId, 'parallel-fork-merge');
    });
  });

  test('a definition that fails validation at the workflow entry ends the run with a named, non-retryable failure', async () => {
    const broken = definition([node('a')], [['a', '', 'success']]);
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startBeadRun(
        env.client,
        { bead: { id: uniqueId('bad'), title: 'x', type: 't', description: '', priority: 'P2', labels: [] }, definition: broken },
        h.taskQueue,
      );
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'InvalidDefinition');
      assert.equal(err.cause.nonRetryable, true);
      assert.match(err.cause.message, /no start edge/);
    });
  });
});
