/**
 * The commitLock workflow on a real server, driven by minimal holder workflows
 * (test/fixtures/lock-workflows.ts): order, capacity, lease expiry, terminated holders and
 * waiters, continue-as-new, and `beadflow lock status`.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createCommitActivities } from '../../src/activities/git';
import { lockWorkflowId, resolveUpstream } from '../../src/activities/git/repo';
import type { LockState } from '../../src/shared/commit-lock';
import type { HolderInput, HolderResult } from '../fixtures/lock-workflows';
import { lockHolder, releaseNowSignal } from '../fixtures/lock-workflows';
import { makeRemote } from '../fixtures/git-repos';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

describe('commitLock workflow', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueId('lock-tq');

  before(async () => {
    env = await startTestEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/lock-workflows'),
      activities: createCommitActivities({ client: env.client }),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const state = (lockId: string) => env.client.workflow.getHandle(lockId).query<LockState>('lockState');

  function hold(lockId: string, beadId: string, over: Partial<HolderInput> = {}): Promise<WorkflowHandle<typeof lockHolder>> {
    return env.client.workflow.start(lockHolder, {
      workflowId: uniqueId(beadId),
      taskQueue,
      args: [{ lockId, repo: `/repos/${lockId}`, beadId, hold: 'brief', ...over }],
    });
  }

  /** Starts holders one by one, each queued before the next asks: arrival order is the start order. */
  async function queue(lockId: string, specs: Array<[string, string | undefined]>, over: Partial<HolderInput> = {}) {
    const handles = [];
    for (const [beadId, priority] of specs) {
      handles.push(await hold(lockId, beadId, { priority, ...over }));
      await waitFor(async () => (await state(lockId)).waiters.some((w) => w.beadId === beadId), { what: `${beadId} queued` });
    }
    return handles;
  }

  async function holderIs(lockId: string, beadId: string, timeoutMs = 10_000): Promise<LockState> {
    return waitFor(
      async () => {
        const s = await state(lockId);
        return s.holder?.beadId === beadId ? s : undefined;
      },
      { what: `${beadId} to hold ${lockId}`, timeoutMs },
    );
  }

  test('grants by priority then arrival, each with the next fencing token; lockState shows holder, lease and waiters', async () => {
    const lockId = uniqueId('commit-lock');
    const first = await hold(lockId, 'h', { hold: 'until-signal' });
    const held = await holderIs(lockId, 'h');
    assert.equal(held.holder!.token, 1);
    assert.equal(held.holder!.leaseMs, 5 * 60_000, 'default lease: 5 minutes');
    assert.equal(held.holder!.leaseExpiresAt - held.holder!.heldSince, 5 * 60_000);
    const waiters = await queue(lockId, [
      ['b', 'P3'],
      ['c', 'P1'],
      ['d', 'P3'],
      ['e', 'P0'],
    ]);
    const queued = await state(lockId);
    assert.deepEqual(
      queued.waiters.map((w) => `${w.position}:${w.beadId}`),
      ['1:e', '2:c', '3:b', '4:d'],
    );
    assert.equal(queued.capacity, 100, 'default capacity');
    await first.signal(releaseNowSignal);
    const tokens = Object.fromEntries(await Promise.all(waiters.map(async (h, i) => [['b', 'c', 'd', 'e'][i], (await h.result()).token])));
    assert.deepEqual(tokens, { e: 2, c: 3, b: 4, d: 5 });
    const end = await state(lockId);
    assert.equal(end.holder, undefined);
    assert.deepEqual(end.waiters, []);
    assert.deepEqual(
      end.recentHolds.map((h) => `${h.beadId}:${h.token}:${h.how}`),
      ['h:1:released', 'e:2:released', 'c:3:released', 'b:4:released', 'd:5:released'],
    );
    await saveHistory(env, lockId, 'commit-lock-priority-order');
  });

  test('a request beyond capacity is refused with a clear reason, never dropped silently', async () => {
    const lockId = uniqueId('commit-lock');
    const h = await hold(lockId, 'h', { hold: 'until-signal', capacity: 2 });
    await holderIs(lockId, 'h');
    const [w1, w2] = await queue(
      lockId,
      [
        ['w1', undefined],
        ['w2', undefined],
      ],
      { capacity: 2 },
    );
    const w3 = await hold(lockId, 'w3', { capacity: 2 });
    const refused = await w3.result();
    assert.match(
      refused.refused ?? '',
      /^commit queue of \/repos\/.+ is full: 2 commits already waiting \(capacity 2\); bead w3 was not queued/,
    );
    assert.equal(refused.token, undefined);
    await h.signal(releaseNowSignal);
    assert.deepEqual([(await w1.result()).token, (await w2.result()).token], [2, 3]);
    assert.equal((await state(lockId)).stats.refused, 1);
  });

  test('an expired lease frees the lock: the warning is logged, recorded and told to the next holder', async () => {
    const lockId = uniqueId('commit-lock');
    await hold(lockId, 'sleepy', { hold: 'forever', leaseMs: 1_500 });
    const granted = await holderIs(lockId, 'sleepy');
    const [next] = await queue(lockId, [['next', undefined]]);
    const result = await next.result();
    assert.equal(result.note, 'Previous commit by sleepy timed out after 1.5s');
    const s = await state(lockId);
    assert.deepEqual(
      s.warnings.map((w) => w.message),
      ['Previous commit by sleepy timed out after 1.5s'],
    );
    const expired = s.recentHolds.find((h) => h.beadId === 'sleepy')!;
    assert.equal(expired.how, 'expired');
    assert.ok(expired.releasedAt - granted.holder!.heldSince >= 1_500, 'not before the lease ran out');
  });

  test('a terminated holder is noticed well before its lease, and the next waiter gets the lock', async () => {
    const lockId = uniqueId('commit-lock');
    const doomed = await hold(lockId, 'doomed', { hold: 'forever', holderCheckMs: 300 });
    await holderIs(lockId, 'doomed');
    const [next] = await queue(lockId, [['next', undefined]]);
    const t0 = Date.now();
    await doomed.terminate('test: holder dies');
    const result = await next.result();
    const handoffMs = Date.now() - t0;
    assert.ok(handoffMs < 10_000, `handed over in ${handoffMs} ms, lease is 5 minutes`);
    assert.equal(result.note, 'Previous commit by doomed ended without releasing the lock (its workflow is terminated)');
    assert.equal((await state(lockId)).recentHolds[0].how, 'holder-gone');
    await saveHistory(env, lockId, 'commit-lock-terminated-holder');
  });

  test('a waiter terminated while queued is skipped when its turn comes', async () => {
    const lockId = uniqueId('commit-lock');
    const h = await hold(lockId, 'h', { hold: 'until-signal' });
    await holderIs(lockId, 'h');
    const [gone, next] = await queue(lockId, [
      ['gone', undefined],
      ['next', undefined],
    ]);
    await gone.terminate('test: waiter dies');
    await h.signal(releaseNowSignal);
    assert.equal((await next.result()).token, 3, 'token 2 went to the dead waiter and was taken back');
    const s = await state(lockId);
    assert.equal(s.recentHolds.find((r) => r.beadId === 'gone')?.how, 'holder-gone');
  });

  test('the queue, holder and token counter survive continue-as-new', async () => {
    const lockId = uniqueId('commit-lock');
    const low = { continueAsNewAfterEvents: 20 };
    const h = await hold(lockId, 'h', { hold: 'until-signal', ...low });
    await holderIs(lockId, 'h');
    const specs: Array<[string, string]> = [
      ['a', 'P3'],
      ['b', 'P1'],
      ['c', 'P3'],
      ['d', 'P0'],
      ['e', 'P2'],
      ['f', 'P1'],
      ['g', 'P4'],
      ['i', 'P0'],
    ];
    const handles = await queue(lockId, specs, low);
    const carried = await waitFor(
      async () => {
        const s = await state(lockId);
        return s.generation >= 1 ? s : undefined;
      },
      { what: 'the lock to continue as new' },
    );
    assert.equal(carried.holder?.beadId, 'h', 'the holder survives');
    assert.deepEqual(
      carried.waiters.map((w) => w.beadId),
      ['d', 'i', 'b', 'f', 'e', 'a', 'c', 'g'],
    );
    await h.signal(releaseNowSignal);
    const results: HolderResult[] = await Promise.all(handles.map((x) => x.result()));
    const byToken = specs.map(([bead], i) => [results[i].token!, bead] as const).sort((x, y) => x[0] - y[0]);
    assert.deepEqual(
      byToken.map(([, bead]) => bead),
      ['d', 'i', 'b', 'f', 'e', 'a', 'c', 'g'],
    );
    assert.deepEqual(
      byToken.map(([token]) => token),
      [2, 3, 4, 5, 6, 7, 8, 9],
      'tokens keep counting across runs',
    );
    const end = await state(lockId);
    assert.ok(end.generation >= 2, `continued as new ${end.generation} times`);
    const described = await env.client.workflow.getHandle(lockId).describe();
    assert.equal(described.status.name, 'RUNNING');
  });

  test('`beadflow lock status` shows the holder, token, lease and waiters, or that there is no lock yet', async () => {
    const repos = makeRemote({ 'a.txt': 'a\n' }, 'beadflow-lock-cli-');
    try {
      const cli = async (...args: string[]) =>
        (
          await promisify(execFile)(
            process.execPath,
            [path.join(ROOT, 'bin/beadflow.js'), 'lock', 'status', '--repo', repos.remote, ...args],
            { cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: env.address } },
          )
        ).stdout;
      const lockId = lockWorkflowId(await resolveUpstream(repos.remote));
      assert.match(await cli(), new RegExp(`^no lock workflow for this repository yet \\(${lockId} for `));
      const h = await hold(lockId, 'holder-bead', { hold: 'until-signal' });
      await holderIs(lockId, 'holder-bead');
      await queue(lockId, [['waiting-bead', 'P1']]);
      const json = JSON.parse(await cli('--json')) as LockState;
      assert.equal(json.lockId, lockId);
      assert.equal(json.holder?.beadId, 'holder-bead');
      assert.equal(json.holder?.token, 1);
      assert.deepEqual(
        json.waiters.map((w) => [w.position, w.beadId, w.priority]),
        [[1, 'waiting-bead', 'P1']],
      );
      const text = await cli();
      assert.match(text, /^holder {6}holder-bead \(node commit, token 1\) since \S+, lease 5m \(expires \S+\)$/m);
      assert.match(text, /^waiters {5}1 \(capacity 100\)$/m);
      assert.match(text, /^ {2}1\. waiting-bead \(node commit, P1\) queued /m);
      await h.signal(releaseNowSignal);
    } finally {
      repos.cleanup();
    }
  });
});
