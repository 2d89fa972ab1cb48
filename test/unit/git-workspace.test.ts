/**
 * A turn's worktree on any host, without Temporal: two hosts (two worktree roots) continue one
 * bead's work through its ref; a retried attempt starts clean; a stale push is refused; an earlier
 * attempt's push of the same turn is adopted; stale git lock files are removed; the fencing query
 * is retried.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fenceChecker } from '../../src/activities/git';
import { Workspaces } from '../../src/activities/git/turn-workspace';
import { prepareWorkspace } from '../../src/activities/git/workspace';
import type { LockState } from '../../src/shared/commit-lock';
import { git, makeRemote, showFile, type TestRepos } from '../fixtures/git-repos';
import { runTurn, turnWorkspace, writeIn } from '../fixtures/git-turns';

let repos: TestRepos;
let hostA: string;
let hostB: string;
before(() => {
  repos = makeRemote({ 'README.md': '# test\n' }, 'beadflow-unit-ws-');
  hostA = path.join(repos.dir, 'host-a');
  hostB = path.join(repos.dir, 'host-b');
});
after(() => repos?.cleanup());

test('a bead written on host A is edited on host B: each host has its own worktree, the ref carries the work', async () => {
  const ws = await prepareWorkspace({ beadId: 'two-hosts', repo: repos.remote }, hostA);
  assert.equal(ws.ref, 'refs/beadflow/two-hosts');
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), ws.head, 'the ref starts at the target tip');
  const a = await runTurn(hostA, ws, 'two-hosts', (dir) => writeIn(dir, 'fix.txt', 'written on A\n'));
  const b = await runTurn(hostB, ws, 'two-hosts', (dir) => {
    assert.equal(readFileSync(path.join(dir, 'fix.txt'), 'utf8'), 'written on A\n', "B sees A's work");
    writeIn(dir, 'fix.txt', 'written on A\nedited on B\n');
  });
  assert.ok(a.dir.startsWith(hostA) && b.dir.startsWith(hostB));
  assert.equal(showFile(repos.remote, 'fix.txt', ws.ref), 'written on A\nedited on B\n');
});

test("a retried attempt starts from the recorded commit: the first attempt's half-made edit is gone", async () => {
  const ws = await prepareWorkspace({ beadId: 'retried', repo: repos.remote }, hostA);
  const workspaces = new Workspaces(hostA);
  const first = await workspaces.prepare('retried', turnWorkspace(ws));
  writeIn(first.dir, 'edit.txt', 'appended once\n');
  writeIn(first.dir, 'untracked/scratch.txt', 'half made\n');
  first.release(); // the worker died here: nothing committed, nothing pushed
  await runTurn(hostA, ws, 'retried', (dir) => {
    assert.ok(!existsSync(path.join(dir, 'edit.txt')) && !existsSync(path.join(dir, 'untracked')), 'clean start');
    writeIn(dir, 'edit.txt', 'appended once\n');
  });
  assert.equal(showFile(repos.remote, 'edit.txt', ws.ref), 'appended once\n');
});

test('a stale attempt cannot overwrite newer work: BeadRefMoved; an earlier push of the same turn is adopted', async () => {
  const ws = await prepareWorkspace({ beadId: 'lease', repo: repos.remote }, hostA);
  const recorded = { ...ws };
  const workspaces = new Workspaces(hostB);
  const stale = await workspaces.prepare('lease', turnWorkspace(recorded));
  await runTurn(hostA, ws, 'lease', (dir) => writeIn(dir, 'newer.txt', 'newer\n'), 'fix#1');
  writeIn(stale.dir, 'older.txt', 'stale\n');
  await assert.rejects(
    workspaces.finish(stale, { beadId: 'lease', title: 't', node: 'fix', turn: 'fix#0' }),
    (err: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(err.type, 'BeadRefMoved');
      assert.equal(err.nonRetryable, true);
      return true;
    },
  );
  stale.release();
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), ws.head, 'the newer work is untouched');
  // The same turn again (its first attempt pushed, then its worker died): the pushed commit is taken.
  const again = await workspaces.prepare('lease', turnWorkspace(recorded));
  writeIn(again.dir, 'newer.txt', 'newer\n');
  const done = await workspaces.finish(again, { beadId: 'lease', title: 't', node: 'edit', turn: 'fix#1' });
  again.release();
  assert.deepEqual([done.head, done.adopted], [ws.head, true]);
});

test('lock files a killed git left (index.lock, a ref .lock) are removed; a fresh one is left alone', async () => {
  const ws = await prepareWorkspace({ beadId: 'locks', repo: repos.remote }, hostA);
  const { dir } = await runTurn(hostA, ws, 'locks', (d) => writeIn(d, 'l.txt', '1\n'));
  const gitDir = git(dir, 'rev-parse', '--absolute-git-dir').trim();
  const old = new Date(Date.now() - 60_000);
  const leftovers = [path.join(gitDir, 'index.lock'), path.join(repos.remote, 'refs', 'beadflow', 'locks.lock')];
  for (const f of leftovers) {
    writeFileSync(f, '');
    utimesSync(f, old, old);
  }
  await runTurn(hostA, ws, 'locks', (d) => writeIn(d, 'l.txt', '2\n'));
  assert.equal(showFile(repos.remote, 'l.txt', ws.ref), '2\n');
  for (const f of leftovers) assert.ok(!existsSync(f), `${f} removed`);
});

test('the fencing query is retried while the lock cannot answer, then answers', async () => {
  let calls = 0;
  const state = { holder: { token: 3, requestId: 'r', beadId: 'b' } } as unknown as LockState;
  const check = fenceChecker(async () => {
    if (++calls < 3) throw new Error('no poller seen for task queue recently');
    return state;
  }, 5_000);
  assert.equal(await check('lock', 'r', 3), undefined);
  assert.equal(calls, 3);
  const never = fenceChecker(async () => {
    throw new Error('no poller seen');
  }, 300);
  await assert.rejects(never('lock', 'r', 3), /cannot ask the commit lock lock whether this commit still holds it: no poller seen/);
});
