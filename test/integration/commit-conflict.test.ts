/**
 * When commits collide or a holder misbehaves: a real conflict fails the node with the paths and
 * keeps the bead's work; a terminated holder loses the lock and its token is fenced off; a holder
 * whose lease ran out is refused at push time; a full queue refuses with a reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCommitActivities } from '../../src/activities/git';
import { beadRef } from '../../src/activities/git/clone';
import { lockWorkflowId, resolveUpstream } from '../../src/activities/git/repo';
import type { CommitWorkResult, Workspace } from '../../src/activities/git/types';
import type { BeadHandle } from '../../src/client/start';
import type { LockState } from '../../src/shared/commit-lock';
import type { BeadState } from '../../src/workflows/messages';
import { CommitHarness } from '../fixtures/commit-harness';
import { definition, node } from '../fixtures/definitions';
import { git, merges, numberedLines, showFile, subjects } from '../fixtures/git-repos';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const state = (h: BeadHandle) => h.query<BeadState>('state');
const commitTurn = (s: BeadState) => s.history.find((e) => e.kind === 'turn' && e.node === 'commit');

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('commit conflicts and misbehaving holders', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  async function lockOf(h: CommitHarness): Promise<{ id: string; state: () => Promise<LockState> }> {
    const id = lockWorkflowId(await resolveUpstream(h.repos.remote));
    return { id, state: () => h.lockState(id) };
  }

  function holding(lock: { state: () => Promise<LockState> }, beadId: string): Promise<LockState> {
    return waitFor(
      async () => {
        const s = await lock.state();
        return s.holder?.beadId === beadId ? s : undefined;
      },
      { what: `${beadId} to hold the lock`, timeoutMs: 20_000 },
    );
  }

  function waiting(lock: { state: () => Promise<LockState> }, beadId: string): Promise<LockState> {
    return waitFor(
      async () => {
        const s = await lock.state();
        return s.waiters.some((w) => w.beadId === beadId) ? s : undefined;
      },
      { what: `${beadId} to wait for the lock`, timeoutMs: 20_000 },
    );
  }

  test('two beads changing the same lines: one lands, the other fails naming the conflict, its branch intact', async () => {
    // Both edit before either commits, so both branches start from the same main.
    const bothEditing = gate();
    let editing = 0;
    const h = new CommitHarness(env, { 'shared.txt': numberedLines(10) }, async () => {
      if (++editing === 2) bothEditing.open();
      await bothEditing.promise;
    });
    const workers = await h.workers();
    const [a, b, sa, sb] = await workers.runUntil(async () => {
      const handles = await Promise.all(
        ['red', 'blue'].map((colour) =>
          h.start([{ file: 'shared.txt', line: 5, text: `line 5 is ${colour}` }], { bead: { title: `paint line 5 ${colour}` } }),
        ),
      );
      await Promise.all(handles.map((x) => x.result()));
      const loserHandle = (await state(handles[0])).status === 'failed' ? handles[0] : handles[1];
      await saveHistory(env, loserHandle.workflowId, 'commit-conflict-loser');
      const states = await Promise.all(handles.map(state));
      return [handles[0], handles[1], states[0], states[1]] as const;
    });
    const winner = sa.status === 'completed' ? sa : sb;
    const loser = winner === sa ? sb : sa;
    assert.deepEqual([winner.status, loser.status], ['completed', 'failed']);
    const failed = commitTurn(loser)!;
    assert.equal(failed.outcome, 'failure');
    assert.match(
      failed.summary,
      /^the bead's work \(refs\/beadflow\/\S+ at [0-9a-f]{10}\) conflicts with main in shared\.txt; nothing landed, the bead's ref is unchanged$/,
    );
    assert.deepEqual(subjects(h.repos.remote), [winner.title, 'initial'], "only the winner's commit landed");
    assert.deepEqual(merges(h.repos.remote), []);
    // The loser's work is safe on its ref, and no squash is left half done in its worktree.
    const ref = beadRef(loser.beadId);
    assert.equal(showFile(h.repos.remote, 'shared.txt', ref).split('\n')[4], `line 5 is ${loser.title.split(' ').pop()}`);
    const wt = h.agent.worktrees.get(loser.beadId)!;
    assert.equal(git(wt, 'status', '--porcelain').trim(), '');
    assert.ok(!existsSync(path.join(git(wt, 'rev-parse', '--absolute-git-dir').trim(), 'MERGE_HEAD')));
    assert.ok([a, b].some((x) => x.workflowId === loser.beadId));
    h.cleanup();
  });

  test('a terminated holder loses the lock to the next waiter, and its stale token cannot push', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const lock = await lockOf(h);
    const aId = uniqueId('bead-doomed');
    h.gates.set(aId, gate().promise); // A holds the lock and never gets further
    const options = { lock: { holderCheckMs: 300 } };
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'from A\n' }], { bead: { id: aId }, options });
      const held = (await holding(lock, aId)).holder!;
      const b = await h.start([{ file: 'b.txt', content: 'from B\n' }], { options });
      await waiting(lock, b.workflowId);
      await a.terminate('test: the holder dies');
      assert.equal((await b.result()).status, 'completed');
      assert.match(
        commitTurn(await state(b))!.summary,
        /^pushed .*\(note: Previous commit by bead-doomed\S* ended without releasing the lock \(its workflow is terminated\)\)$/,
      );
      const s = await lock.state();
      assert.equal(s.holder, undefined);
      assert.match(s.warnings.at(-1)!.message, /ended without releasing the lock \(its workflow is terminated\)/);
      // A's commit, had it carried on: its token is fenced off and nothing is pushed.
      const real = createCommitActivities({ client: env.client, worktreesRoot: h.repos.worktrees });
      const activity = new MockActivityEnvironment();
      const workspace = (await activity.run(real.prepareWorkspace, { beadId: aId, repo: h.repos.remote })) as Workspace;
      const stale = (await new MockActivityEnvironment().run(real.commitWork, {
        beadId: aId,
        title: 'late A',
        node: 'commit',
        workspace,
        requestId: held.requestId,
        token: held.token,
        leaseMs: 300_000,
      })) as CommitWorkResult;
      assert.equal(stale.outcome, 'failure');
      assert.equal(stale.pushed, false);
      assert.match(stale.summary, /^not pushed: fencing token 1 is no longer current \(nobody holds the lock\)/);
    });
    assert.deepEqual(subjects(h.repos.remote).length, 2, 'only B landed');
    assert.throws(() => showFile(h.repos.remote, 'a.txt'));
    h.cleanup();
  });

  test('a holder whose lease ran out is refused at push time by the fencing check', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const lock = await lockOf(h);
    const aId = uniqueId('bead-slow');
    const slow = gate();
    h.gates.set(aId, slow.promise); // holds the lock without renewing it
    const options = { lock: { leaseMs: 1_500 } };
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'from A\n' }], { bead: { id: aId, title: 'slow A' }, options });
      await holding(lock, aId);
      const b = await h.start([{ file: 'b.txt', content: 'from B\n' }], { bead: { title: 'quick B' }, options });
      assert.equal((await b.result()).status, 'completed');
      assert.match(commitTurn(await state(b))!.summary, /\(note: Previous commit by bead-slow\S* timed out after 1\.5s\)$/);
      slow.open();
      assert.equal((await a.result()).status, 'failed');
      const refused = commitTurn(await state(a))!;
      assert.equal(refused.outcome, 'failure');
      assert.match(
        refused.summary,
        /^not pushed: fencing token 1 is no longer current \(nobody holds the lock\): this commit lost the lock, its lease ran out$/,
      );
      assert.deepEqual(
        (await lock.state()).warnings.map((w) => w.message),
        [`Previous commit by ${aId} timed out after 1.5s`],
      );
      await saveHistory(env, a.workflowId, 'commit-lease-expired-fenced');
    });
    assert.deepEqual(subjects(h.repos.remote), ['quick B', 'initial']);
    h.cleanup();
  });

  test('a bead cancelled while holding the lock releases it on its way out', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const lock = await lockOf(h);
    const aId = uniqueId('bead-cancelled');
    h.gates.set(aId, gate().promise);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'A\n' }], { bead: { id: aId } });
      await holding(lock, aId);
      const b = await h.start([{ file: 'b.txt', content: 'B\n' }], { bead: { title: 'after the cancelled one' } });
      await waiting(lock, b.workflowId);
      await a.cancel();
      // Bounded below the lock's 30 s holder check (which would count as a forced release) and
      // far below the 5-minute lease: were the release lost, the lock would wait for one of those.
      await waitFor(async () => (await lock.state()).recentHolds.some((x) => x.beadId === aId), {
        timeoutMs: 28_000,
        what: "the cancelled bead's release (if this times out, look for a failing workflow task on the cancelled bead)",
      });
      await assert.rejects(a.result(), /cancel/i);
      assert.equal((await b.result()).status, 'completed');
      const s = await lock.state();
      assert.equal(s.stats.forced, 0, 'released by the bead itself, not by lease or holder check');
      assert.deepEqual(
        s.recentHolds.map((x) => [x.beadId, x.how]),
        [
          [aId, 'released'],
          [b.workflowId, 'released'],
        ],
      );
    });
    assert.deepEqual(subjects(h.repos.remote), ['after the cancelled one', 'initial']);
    h.cleanup();
  });

  test("a commit node's deadline also bounds the wait for the lock: the request is withdrawn", async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const lock = await lockOf(h);
    const aId = uniqueId('bead-holder');
    const held = gate();
    h.gates.set(aId, held.promise);
    const impatient = definition(
      [node('edit', 'task', { maxAttempts: 1 }), node('commit', 'commit', { maxAttempts: 1, timeoutMs: 1_500 })],
      [
        ['', 'edit', 'success'],
        ['edit', 'commit', 'success'],
        ['commit', '', 'success'],
        ['commit', '', 'timeout'],
      ],
    );
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'A\n' }], { bead: { id: aId } });
      await holding(lock, aId);
      const b = await h.start([{ file: 'b.txt', content: 'B\n' }], { def: impatient });
      await waiting(lock, b.workflowId);
      assert.equal((await b.result()).status, 'failed');
      assert.ok(
        (await state(b)).history.some((e) => e.kind === 'timeout' && e.node === 'commit'),
        'the commit node timed out',
      );
      const s = await waitFor(
        async () => {
          const x = await lock.state();
          return x.stats.withdrawn === 1 ? x : undefined;
        },
        { what: 'the request to be withdrawn' },
      );
      assert.deepEqual(s.waiters, []);
      held.open();
      assert.equal((await a.result()).status, 'completed');
    });
    assert.deepEqual(subjects(h.repos.remote).length, 2, 'only A landed');
    h.cleanup();
  });

  test('a holder that renews keeps the lock past its lease while git works, and nobody else gets it meanwhile', async () => {
    // A pre-push hook makes git take 2.5 s; the lease is 1 s: only renewals keep the lock.
    const h = new CommitHarness(env, { 'README.md': '# repo\n' }, async (input) => {
      const hooks = path.join(git(input.worktree!, 'rev-parse', '--git-common-dir').trim(), 'hooks');
      mkdirSync(hooks, { recursive: true });
      writeFileSync(path.join(hooks, 'pre-push'), '#!/bin/sh\nsleep 2.5\n', { mode: 0o755 });
    });
    const lock = await lockOf(h);
    const options = { lock: { leaseMs: 1_000 } };
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'A\n' }], { bead: { title: 'slow but alive' }, options });
      await holding(lock, a.workflowId);
      const b = await h.start([{ file: 'b.txt', content: 'B\n' }], { bead: { title: 'next' }, options });
      const results = await Promise.all([a.result(), b.result()]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['completed', 'completed'],
      );
      const s = await lock.state();
      assert.deepEqual(s.warnings, [], 'no lease expired');
      assert.equal(s.stats.forced, 0);
      const [ca, cb] = [h.commits.find((c) => c.beadId === a.workflowId)!, h.commits.find((c) => c.beadId === b.workflowId)!];
      assert.ok(ca.end - ca.start > 2_000, `A held the lock ${ca.end - ca.start} ms, beyond its 1 s lease`);
      assert.ok(cb.start >= ca.end, 'B started only after A finished');
    });
    assert.deepEqual(subjects(h.repos.remote), ['next', 'slow but alive', 'initial']);
    h.cleanup();
  });

  test('a full queue refuses the request with a clear reason and the commit node fails by its failure edge', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const lock = await lockOf(h);
    const aId = uniqueId('bead-holder');
    const held = gate();
    h.gates.set(aId, held.promise);
    const options = { lock: { capacity: 1 } };
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const a = await h.start([{ file: 'a.txt', content: 'A\n' }], { bead: { id: aId }, options });
      await holding(lock, aId);
      const b = await h.start([{ file: 'b.txt', content: 'B\n' }], { options });
      await waiting(lock, b.workflowId);
      const c = await h.start([{ file: 'c.txt', content: 'C\n' }], { options });
      assert.equal((await c.result()).status, 'failed');
      const s = await state(c);
      assert.match(
        commitTurn(s)!.summary,
        new RegExp(
          `^commit lock refused: commit queue of \\S+ is full: 1 commits already waiting \\(capacity 1\\); bead ${c.workflowId} was not queued`,
        ),
      );
      assert.ok(
        s.history.some((e) => e.kind === 'move' && e.node === 'commit' && e.condition === 'failure'),
        'routed by the failure edge',
      );
      held.open();
      assert.deepEqual([(await a.result()).status, (await b.result()).status], ['completed', 'completed']);
      await saveHistory(env, c.workflowId, 'commit-queue-full');
    });
    assert.equal(subjects(h.repos.remote).length, 3);
    h.cleanup();
  });
});
