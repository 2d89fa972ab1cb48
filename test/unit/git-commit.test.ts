/**
 * The git side of commit nodes on real repositories, without Temporal: workspaces, commit,
 * rebase, conflicts, the fencing check, push retries, and repository resolution.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commitWork, type CommitDeps } from '../../src/activities/git/commit';
import { beadBranch, checkBranchName, lockWorkflowId, normalizeUrl, resolveUpstream, safeName } from '../../src/activities/git/repo';
import type { CommitWorkInput, Workspace } from '../../src/activities/git/types';
import { prepareWorkspace } from '../../src/activities/git/workspace';
import { git, makeRemote, merges, numberedLines, showFile, subjects, type TestRepos } from '../fixtures/git-repos';

let repos: TestRepos;
before(() => {
  repos = makeRemote({ 'README.md': '# test\n', 'shared.txt': numberedLines(30) }, 'beadflow-unit-git-');
});
after(() => repos?.cleanup());

const fenceOk: CommitDeps['fenceProblem'] = async () => undefined;
function deps(over: Partial<CommitDeps> = {}): CommitDeps {
  return { fenceProblem: fenceOk, signal: new AbortController().signal, log: () => undefined, heartbeat: () => undefined, ...over };
}
function input(ws: Workspace, beadId: string, title = `work of ${beadId}`): CommitWorkInput {
  return { beadId, title, node: 'commit', workspace: ws, requestId: `req-${beadId}`, token: 1, leaseMs: 60_000 };
}
function editLine(ws: Workspace, line: number, text: string): void {
  const file = path.join(ws.worktree, 'shared.txt');
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[line - 1] = text;
  writeFileSync(file, lines.join('\n'));
}

describe('workspaces', () => {
  test('a bead gets its own branch and worktree outside the repository, found again on a second call', async () => {
    const ws = await prepareWorkspace({ beadId: 'bead-ws', repo: repos.remote }, repos.worktrees);
    assert.equal(ws.branch, 'beadflow/bead-ws');
    assert.equal(ws.targetBranch, 'main', "the remote's HEAD branch");
    assert.ok(ws.worktree.startsWith(repos.worktrees), ws.worktree);
    assert.equal(readFileSync(path.join(ws.worktree, 'README.md'), 'utf8'), '# test\n');
    assert.equal(git(ws.worktree, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'beadflow/bead-ws');
    writeFileSync(path.join(ws.worktree, 'wip.txt'), 'unsaved work');
    const again = await prepareWorkspace({ beadId: 'bead-ws', repo: repos.remote }, repos.worktrees);
    assert.deepEqual(again, ws);
    assert.ok(existsSync(path.join(ws.worktree, 'wip.txt')), 'a resumed bead finds its work as it left it');
    assert.deepEqual(subjects(repos.remote), ['initial'], 'preparing touches nothing upstream');
  });

  test('a clone with an origin, the bare repository and its file:// URL share one lock', async () => {
    const clone = path.join(repos.dir, 'user-clone');
    git(repos.dir, 'clone', '--quiet', repos.remote, clone);
    const ids = await Promise.all([repos.remote, clone, `file://${repos.remote}`, `${repos.remote}/`].map(async (r) => lockWorkflowId(await resolveUpstream(r))));
    assert.equal(new Set(ids).size, 1, ids.join(' '));
    assert.match(ids[0], /^commit-lock-[0-9a-f]{12}$/);
  });

  test('an explicit target branch must exist upstream and be a plain branch name', async () => {
    await assert.rejects(prepareWorkspace({ beadId: 'bead-tb', repo: repos.remote, targetBranch: 'release' }, repos.worktrees), /has no branch "release"/);
    await assert.rejects(prepareWorkspace({ beadId: 'bead-tb', repo: repos.remote, targetBranch: '--upload-pack=evil' }, repos.worktrees), /not a valid target branch name/);
  });

  test('repositories that cannot be used say why', async () => {
    await assert.rejects(resolveUpstream(path.join(repos.dir, 'nope')), /does not exist/);
    await assert.rejects(resolveUpstream(repos.worktrees.replace(/worktrees$/, '')), /(not a git repository)|(no origin remote)/);
    const lonely = path.join(repos.dir, 'lonely');
    git(repos.dir, 'init', '--quiet', lonely);
    await assert.rejects(resolveUpstream(lonely), /has no origin remote/);
  });

  test('names: odd bead ids become safe branch and directory names', () => {
    assert.equal(safeName('bf-abc_123'), 'bf-abc_123');
    assert.match(safeName('x; rm -rf / $(id)'), /^x-rm-rf-id-[0-9a-f]{8}$/);
    assert.match(beadBranch('../../etc'), /^beadflow\/etc-[0-9a-f]{8}$/);
    assert.notEqual(safeName('a b'), safeName('a-b'), 'a hash keeps distinct ids apart');
    assert.throws(() => checkBranchName('-x'));
    assert.throws(() => checkBranchName('a..b'));
    checkBranchName('release/2.0');
    assert.equal(normalizeUrl('HTTPS://GitHub.com/Org/Repo/'), 'https://github.com/Org/Repo');
    assert.equal(normalizeUrl('git@GitHub.com:Org/Repo.git'), 'git@github.com:Org/Repo.git');
  });
});

describe('commitWork', () => {
  test('commits and pushes; a title full of shell metacharacters reaches git verbatim', async () => {
    const title = `Fix "quotes" & 'apostrophes'; $(touch PWNED) \`touch PWNED2\` | cat /etc/passwd > out.txt $HOME \\ %s`;
    const ws = await prepareWorkspace({ beadId: 'bead-meta', repo: repos.remote }, repos.worktrees);
    writeFileSync(path.join(ws.worktree, 'meta.txt'), 'hello\n');
    const result = await commitWork(input(ws, 'bead-meta', title), deps());
    assert.equal(result.outcome, 'success', result.summary);
    assert.equal(result.pushed, true);
    assert.equal(subjects(repos.remote)[0], title);
    const body = git(repos.remote, 'log', '-1', '--format=%B', 'main');
    assert.match(body, /Bead-Id: bead-meta\nBead-Node: commit/);
    assert.equal(showFile(repos.remote, 'meta.txt'), 'hello\n');
    for (const dir of [process.cwd(), ws.worktree, repos.dir]) {
      assert.ok(!existsSync(path.join(dir, 'PWNED')) && !existsSync(path.join(dir, 'PWNED2')) && !existsSync(path.join(dir, 'out.txt')), `nothing ran in ${dir}`);
    }
  });

  test('nothing to commit succeeds with a note and pushes nothing', async () => {
    const ws = await prepareWorkspace({ beadId: 'bead-idle', repo: repos.remote }, repos.worktrees);
    const before = subjects(repos.remote).length;
    const result = await commitWork(input(ws, 'bead-idle'), deps());
    assert.deepEqual([result.outcome, result.pushed, result.summary], ['success', false, 'nothing to commit: the worktree has no changes']);
    assert.equal(subjects(repos.remote).length, before);
  });

  test('two beads on different lines of one file both land, rebased: linear history', async () => {
    const a = await prepareWorkspace({ beadId: 'bead-la', repo: repos.remote }, repos.worktrees);
    const b = await prepareWorkspace({ beadId: 'bead-lb', repo: repos.remote }, repos.worktrees);
    editLine(a, 3, 'line 3 by a');
    editLine(b, 9, 'line 9 by b');
    assert.equal((await commitWork(input(a, 'bead-la'), deps())).outcome, 'success');
    const rb = await commitWork(input(b, 'bead-lb'), deps());
    assert.equal(rb.outcome, 'success', rb.summary);
    const shared = showFile(repos.remote, 'shared.txt').split('\n');
    assert.deepEqual([shared[2], shared[8]], ['line 3 by a', 'line 9 by b']);
    assert.deepEqual(merges(repos.remote), []);
  });

  test('a real conflict fails with the paths; the rebase is aborted and the branch and worktree keep the work', async () => {
    const a = await prepareWorkspace({ beadId: 'bead-ca', repo: repos.remote }, repos.worktrees);
    const b = await prepareWorkspace({ beadId: 'bead-cb', repo: repos.remote }, repos.worktrees);
    editLine(a, 20, 'line 20 by a');
    editLine(b, 20, 'line 20 by b');
    assert.equal((await commitWork(input(a, 'bead-ca'), deps())).outcome, 'success');
    const tip = git(repos.remote, 'rev-parse', 'main').trim();
    const rb = await commitWork(input(b, 'bead-cb', 'b changes line 20'), deps());
    assert.equal(rb.outcome, 'failure');
    assert.deepEqual(rb.conflicts, ['shared.txt']);
    assert.match(rb.summary, /conflicts in shared\.txt; rebase aborted, branch beadflow\/bead-cb/);
    assert.equal(git(repos.remote, 'rev-parse', 'main').trim(), tip, 'nothing pushed');
    assert.equal(git(b.worktree, 'log', '-1', '--format=%s', 'beadflow/bead-cb').trim(), 'b changes line 20', 'the work is committed on its branch');
    assert.equal(readFileSync(path.join(b.worktree, 'shared.txt'), 'utf8').split('\n')[19], 'line 20 by b');
    assert.equal(git(b.worktree, 'status', '--porcelain').trim(), '', 'no rebase left half done');
    const gitDir = git(b.worktree, 'rev-parse', '--absolute-git-dir').trim();
    assert.ok(!existsSync(path.join(gitDir, 'rebase-merge')));
  });

  test('a stale fencing token is not pushed', async () => {
    const ws = await prepareWorkspace({ beadId: 'bead-stale', repo: repos.remote }, repos.worktrees);
    writeFileSync(path.join(ws.worktree, 'stale.txt'), 'late\n');
    const tip = git(repos.remote, 'rev-parse', 'main').trim();
    const result = await commitWork(input(ws, 'bead-stale'), deps({ fenceProblem: async () => 'fencing token 1 is no longer current' }));
    assert.deepEqual([result.outcome, result.pushed], ['failure', false]);
    assert.equal(result.summary, 'not pushed: fencing token 1 is no longer current');
    assert.equal(git(repos.remote, 'rev-parse', 'main').trim(), tip);
  });

  test('a push rejected because someone pushed outside the lock is fetched, rebased and retried', async () => {
    const ws = await prepareWorkspace({ beadId: 'bead-race', repo: repos.remote }, repos.worktrees);
    writeFileSync(path.join(ws.worktree, 'race.txt'), 'mine\n');
    const outsider = path.join(repos.dir, 'outsider');
    git(repos.dir, 'clone', '--quiet', repos.remote, outsider);
    let sneaked = false;
    const sneakIn: CommitDeps['fenceProblem'] = async () => {
      if (!sneaked) {
        sneaked = true;
        writeFileSync(path.join(outsider, 'outsider.txt'), 'theirs\n');
        git(outsider, 'add', '--all');
        git(outsider, 'commit', '--quiet', '-m', 'outside the lock');
        git(outsider, 'push', '--quiet', 'origin', 'HEAD:main');
      }
      return undefined;
    };
    const result = await commitWork(input(ws, 'bead-race', 'raced'), deps({ fenceProblem: sneakIn }));
    assert.equal(result.outcome, 'success', result.summary);
    assert.match(result.summary, /after 2 tries/);
    assert.deepEqual(subjects(repos.remote).slice(0, 2), ['raced', 'outside the lock']);
  });

  test('a cancelled commit stops before touching git', async () => {
    const ws = await prepareWorkspace({ beadId: 'bead-cancel', repo: repos.remote }, repos.worktrees);
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(commitWork(input(ws, 'bead-cancel'), deps({ signal: ctl.signal })), /cancelled before starting/);
  });
});
