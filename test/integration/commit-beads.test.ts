/**
 * Beads that commit to one real repository at the same time: every commit lands, history stays
 * linear, the lock ends free. Also: hand-off latency, titles with shell metacharacters, beads
 * without a repository, and beads with nothing to commit.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { lockWorkflowId, resolveUpstream } from '../../src/activities/git/repo';
import type { BeadHandle } from '../../src/client/start';
import { LOCK_SIGNALS, type LockState } from '../../src/shared/commit-lock';
import type { BeadState } from '../../src/workflows/messages';
import { CommitHarness, percentile } from '../fixtures/commit-harness';
import type { FileEdit } from '../fixtures/file-agent';
import { git, merges, numberedLines, showFile, subjects } from '../fixtures/git-repos';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, uniqueId } from '../helpers/temporal';

const state = (h: BeadHandle) => h.query<BeadState>('state');
const commitTurn = (s: BeadState) => s.history.find((e) => e.kind === 'turn' && e.node === 'commit');

/** Bead i writes its own file; every third bead also changes line 3 + 4i of shared.txt (far enough apart to merge). */
function editsFor(i: number): FileEdit[] {
  const own: FileEdit = { file: `beads/bead-${i}.txt`, content: `work of bead ${i}\n` };
  return i % 3 === 0 ? [own, { file: 'shared.txt', line: 3 + 4 * i, text: `line ${3 + 4 * i} by bead ${i}` }] : [own];
}

describe('concurrent beads committing to one repository', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  /** Starts n beads together and checks everything landed, linearly, with the lock free at the end. */
  async function commitTogether(n: number, historyName?: string): Promise<{ h: CommitHarness; handles: BeadHandle[]; lock: LockState }> {
    const h = new CommitHarness(env, { 'README.md': '# repo\n', 'shared.txt': numberedLines(4 * n + 10) });
    const lockId = lockWorkflowId(await resolveUpstream(h.repos.remote));
    const workers = await h.workers();
    const started = Date.now();
    let lock: LockState | undefined;
    const handles = await workers.runUntil(async () => {
      const all = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          h.start(editsFor(i), { bead: { title: `bead ${i}: its own file${i % 3 === 0 ? ' and a line of shared.txt' : ''}` } }),
        ),
      );
      const results = await Promise.all(all.map((x) => x.result()));
      const notCompleted = results.filter((r) => r.status !== 'completed');
      assert.deepEqual(notCompleted, [], 'every bead completes');
      lock = await h.lockState(lockId);
      assert.equal(lock.holder, undefined, 'the lock ends free');
      assert.deepEqual(lock.waiters, []);
      assert.deepEqual([lock.stats.granted, lock.stats.released, lock.stats.forced, lock.stats.refused], [n, n, 0, 0]);
      for (const x of all.slice(0, 3))
        assert.match(commitTurn(await state(x))?.summary ?? '', /^pushed [0-9a-f]{10} to main \(1 commit squashed from refs\/beadflow\//);
      // Each commit activity released the lock itself: no bead signalled a release, the lock got n.
      for (const x of all.slice(0, 3)) {
        const events = (await x.fetchHistory()).events ?? [];
        assert.equal(
          events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length,
          0,
          'the bead sends no release',
        );
      }
      const releases = ((await env.client.workflow.getHandle(lockId).fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === LOCK_SIGNALS.release,
      );
      assert.equal(releases.length, n, 'one release per commit');
      assert.ok(
        releases.every((e) => !e.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution),
        'every release came from the commit activity, not from a bead workflow',
      );
      if (historyName) {
        await saveHistory(env, all[0].workflowId, `${historyName}-bead`);
        await saveHistory(env, lockId, `${historyName}-lock`);
      }
      return all;
    });
    console.log(`${n} beads committed in ${Date.now() - started} ms`);
    const remote = h.repos.remote;
    const log = subjects(remote);
    assert.equal(log.length, n + 1, 'one commit per bead on top of the initial one');
    for (let i = 0; i < n; i++) {
      assert.ok(
        log.some((s) => s.startsWith(`bead ${i}:`)),
        `bead ${i}'s commit is on main`,
      );
      assert.equal(showFile(remote, `beads/bead-${i}.txt`), `work of bead ${i}\n`);
    }
    assert.deepEqual(merges(remote), [], 'linear history: no merge commits');
    assert.equal(git(remote, 'for-each-ref', 'refs/beadflow/').trim(), '', "completed beads' refs are removed");
    const shared = showFile(remote, 'shared.txt').split('\n');
    for (let i = 0; i < n; i += 3) assert.equal(shared[2 + 4 * i], `line ${3 + 4 * i} by bead ${i}`);
    for (const x of handles)
      assert.ok(h.agent.worktrees.get(x.workflowId)?.startsWith(h.repos.worktrees), 'agent turns ran in the bead worktree');
    return { h, handles, lock: lock! };
  }

  test('5 beads started together all land on main, linear, the lock free', async () => {
    const { h } = await commitTogether(5, 'commit-release-in-commit');
    h.cleanup();
  });

  test('50 beads started together all land on main; hand-off latency recorded', async () => {
    const { h, lock } = await commitTogether(50);
    // Gap between one commit activity ending and the next starting: release signal → lock → grant signal → bead → activity.
    const runs = [...h.commits].sort((a, b) => a.start - b.start);
    const gaps = runs
      .slice(1)
      .map((c, i) => c.start - runs[i].end)
      .filter((g) => g >= 0);
    const holds = runs.map((c) => c.end - c.start);
    console.log(
      `commit hand-off (activity end → next activity start) over ${gaps.length}: p50 ${percentile(gaps, 50)} ms, p95 ${percentile(gaps, 95)} ms, max ${Math.max(...gaps)} ms`,
    );
    console.log(`git work under the lock per commit: p50 ${percentile(holds, 50)} ms, p95 ${percentile(holds, 95)} ms`);
    assert.equal(gaps.length, 49, 'commits never overlapped: each started after the previous ended');
    // The lock's own clock: one holder's release → the next grant (the same workflow task when someone waits).
    const byToken = [...lock.recentHolds].sort((a, b) => a.token - b.token);
    const lockGaps = byToken.slice(1).map((x, i) => x.grantedAt - byToken[i].releasedAt);
    console.log(
      `lock hand-off (release → next grant, lock clock) over ${lockGaps.length}: p50 ${percentile(lockGaps, 50)} ms, p95 ${percentile(lockGaps, 95)} ms`,
    );
    assert.ok(
      lockGaps.every((g) => g >= 0),
      'no grant before the previous release',
    );
    h.cleanup();
  });

  test('a title and an id full of shell metacharacters and quotes reach git verbatim, and nothing runs', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const title = `Fix "quotes" & 'apostrophes'; $(touch PWNED) \`touch PWNED2\` | tee out.txt > /dev/null; echo $HOME \\ %s %n`;
    const beadId = `${uniqueId('bead')};$(touch PWNED3)'"`;
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start([{ file: 'meta.txt', content: 'metacharacters\n' }], { bead: { id: beadId, title } });
      assert.equal((await handle.result()).status, 'completed');
    });
    assert.equal(subjects(h.repos.remote)[0], title);
    assert.match(
      git(h.repos.remote, 'log', '-1', '--format=%B', 'main'),
      new RegExp(`Bead-Id: ${beadId.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}\nBead-Node: commit`),
    );
    for (const dir of [process.cwd(), h.repos.dir, h.repos.worktrees, h.agent.worktrees.get(beadId)!]) {
      for (const f of ['PWNED', 'PWNED2', 'PWNED3', 'out.txt'])
        assert.ok(!existsSync(path.join(dir, f)), `${f} in ${dir}: something ran a shell`);
    }
    h.cleanup();
  });

  test('a bead without a repository passes its commit node: "no repository: nothing committed"', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start([], { bead: { repo: undefined } });
      assert.equal((await handle.result()).status, 'completed');
      const s = await state(handle);
      assert.equal(commitTurn(s)?.summary, 'no repository: nothing committed');
      assert.equal(commitTurn(s)?.outcome, 'success');
      await saveHistory(env, handle.workflowId, 'commit-no-repository');
    });
    assert.deepEqual(h.commits, [], 'no git work, no lock');
    assert.deepEqual(subjects(h.repos.remote), ['initial']);
    h.cleanup();
  });

  test('a bead whose repository cannot be used fails at start, saying why', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const notARepo = path.join(h.repos.dir, 'plain-dir');
    mkdirSync(notARepo);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start([], { bead: { repo: notARepo } });
      await assert.rejects(handle.result(), (err: Error & { cause?: Error }) => {
        assert.match(
          `${err.cause?.message}`,
          new RegExp(`^bead ${handle.workflowId}: cannot prepare its worktree of ${notARepo}: ${notARepo} is not a git repository`),
        );
        return true;
      });
    });
    h.cleanup();
  });

  test('a bead with nothing to commit succeeds with a note and pushes nothing', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start([]);
      assert.equal((await handle.result()).status, 'completed');
      assert.equal(commitTurn(await state(handle))?.summary, 'nothing to commit: the bead changed nothing');
    });
    assert.deepEqual(subjects(h.repos.remote), ['initial']);
    h.cleanup();
  });
});
