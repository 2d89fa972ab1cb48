/**
 * The commit node's git work on real repositories, without Temporal: the bead's work squashed
 * onto the target, trailers, notes left out, conflicts, the fencing check, push retries, a fetch
 * failing after the push, and repository resolution.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commitWork, type CommitDeps } from '../../src/activities/git/commit';
import { beadBranch, checkBranchName, lockWorkflowId, normalizeUrl, resolveUpstream, safeName } from '../../src/activities/git/repo';
import { prepareWorkspace } from '../../src/activities/git/workspace';
import { git, makeRemote, merges, numberedLines, showFile, subjects, type TestRepos } from '../fixtures/git-repos';
import { commitDeps, commitInput, editLine, runTurn, writeIn } from '../fixtures/git-turns';

let repos: TestRepos;
let root: string;
before(() => {
  repos = makeRemote({ 'README.md': '# test\n', 'shared.txt': numberedLines(30) }, 'beadflow-unit-git-');
  root = repos.worktrees;
});
after(() => repos?.cleanup());

const deps = (over: Partial<CommitDeps> = {}) => commitDeps(root, over);
const prepare = (beadId: string) => prepareWorkspace({ beadId, repo: repos.remote }, root);

describe('repositories', () => {
  test('a clone with an origin, the bare repository and its file:// URL share one lock', async () => {
    const clone = path.join(repos.dir, 'user-clone');
    git(repos.dir, 'clone', '--quiet', repos.remote, clone);
    const ids = await Promise.all(
      [repos.remote, clone, `file://${repos.remote}`, `${repos.remote}/`].map(async (r) => lockWorkflowId(await resolveUpstream(r))),
    );
    assert.equal(new Set(ids).size, 1, ids.join(' '));
    assert.match(ids[0], /^commit-lock-[0-9a-f]{12}$/);
  });

  test('an explicit target branch must exist upstream and be a plain branch name', async () => {
    await assert.rejects(
      prepareWorkspace({ beadId: 'bead-tb', repo: repos.remote, targetBranch: 'release' }, root),
      /has no branch "release"/,
    );
    await assert.rejects(
      prepareWorkspace({ beadId: 'bead-tb', repo: repos.remote, targetBranch: '--upload-pack=evil' }, root),
      /not a valid target branch name/,
    );
  });

  test('repositories that cannot be used say why', async () => {
    await assert.rejects(resolveUpstream(path.join(repos.dir, 'nope')), /does not exist/);
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
  test("squashes the bead's WIP commits into one commit with the title and trailers; notes stay on the ref", async () => {
    const title = `Fix "quotes" & 'apostrophes'; $(touch PWNED) \`touch PWNED2\` | cat /etc/passwd > out.txt $HOME \\ %s`;
    const ws = await prepare('bead-meta');
    await runTurn(root, ws, 'bead-meta', (dir) => writeIn(dir, 'meta.txt', 'hello\n'));
    const { dir } = await runTurn(root, ws, 'bead-meta', (d) => {
      writeIn(d, 'meta.txt', 'hello again\n');
      writeIn(d, '.beadflow/notes/plan.md', 'my plan\n');
    });
    assert.equal(git(repos.remote, 'rev-list', '--count', `main..${ws.ref}`).trim(), '2', 'two WIP commits on the bead ref');
    const result = await commitWork(commitInput(ws, 'bead-meta', title), deps());
    assert.equal(result.outcome, 'success', result.summary);
    assert.equal(result.pushed, true);
    assert.match(result.summary, /1 note file\(s\) kept on the bead's ref/);
    assert.equal(subjects(repos.remote)[0], title);
    assert.equal(subjects(repos.remote)[1], 'initial', 'one commit landed for two turns');
    assert.match(git(repos.remote, 'log', '-1', '--format=%B', 'main'), /Bead-Id: bead-meta\nBead-Node: commit/);
    assert.equal(showFile(repos.remote, 'meta.txt'), 'hello again\n');
    assert.throws(() => showFile(repos.remote, '.beadflow/notes/plan.md'), 'notes never land');
    assert.equal(showFile(repos.remote, '.beadflow/notes/plan.md', ws.ref), 'my plan\n', 'notes stay on the bead ref');
    for (const d of [process.cwd(), dir, repos.dir]) {
      assert.ok(
        !existsSync(path.join(d, 'PWNED')) && !existsSync(path.join(d, 'PWNED2')) && !existsSync(path.join(d, 'out.txt')),
        `nothing ran in ${d}`,
      );
    }
  });

  test('control characters in a title are shown escaped in the subject, never raw', async () => {
    const ws = await prepare('bead-ctl');
    await runTurn(root, ws, 'bead-ctl', (dir) => writeIn(dir, 'ctl.txt', 'x\n'));
    const result = await commitWork(commitInput(ws, 'bead-ctl', 'bell\u0007 and \u001b[31mred'), deps());
    assert.equal(result.outcome, 'success', result.summary);
    assert.equal(subjects(repos.remote)[0], 'bell\\x07 and \\x1b[31mred');
  });

  test('nothing to commit succeeds with a note and pushes nothing; only notes land nothing', async () => {
    const ws = await prepare('bead-idle');
    const before = subjects(repos.remote).length;
    const result = await commitWork(commitInput(ws, 'bead-idle'), deps());
    assert.deepEqual([result.outcome, result.pushed, result.summary], ['success', false, 'nothing to commit: the bead changed nothing']);
    await runTurn(root, ws, 'bead-idle', (dir) => writeIn(dir, '.beadflow/notes/n.md', 'only notes\n'));
    const notesOnly = await commitWork(commitInput(ws, 'bead-idle'), deps());
    assert.deepEqual([notesOnly.outcome, notesOnly.pushed], ['success', false], notesOnly.summary);
    assert.match(notesOnly.summary, /only notes/);
    assert.equal(subjects(repos.remote).length, before);
  });

  test('a commit run twice (its first push landed) lands the change once', async () => {
    const ws = await prepare('bead-twice');
    await runTurn(root, ws, 'bead-twice', (dir) => writeIn(dir, 'twice.txt', 'once\n'));
    assert.equal((await commitWork(commitInput(ws, 'bead-twice', 'twice'), deps())).pushed, true);
    const again = await commitWork(commitInput(ws, 'bead-twice', 'twice'), deps());
    assert.deepEqual([again.outcome, again.pushed], ['success', false], again.summary);
    assert.equal(subjects(repos.remote).filter((s) => s === 'twice').length, 1);
  });

  test('a bead that lands twice: the second landing carries only what changed since the first', async () => {
    const ws = await prepare('bead-again');
    await runTurn(root, ws, 'bead-again', (dir) => writeIn(dir, 'again.txt', 'naive fix\n'));
    assert.equal((await commitWork(commitInput(ws, 'bead-again', 'first fix'), deps())).pushed, true);
    ws.landed = ws.head;
    await runTurn(root, ws, 'bead-again', (dir) => writeIn(dir, 'again.txt', 'real fix\n'));
    const second = await commitWork(commitInput(ws, 'bead-again', 'second fix'), deps());
    assert.deepEqual([second.outcome, second.pushed], ['success', true], second.summary);
    assert.equal(showFile(repos.remote, 'again.txt'), 'real fix\n');
    assert.deepEqual(subjects(repos.remote).slice(0, 2), ['second fix', 'first fix']);
  });

  test('two beads on different lines of one file both land: linear history', async () => {
    const a = await prepare('bead-la');
    const b = await prepare('bead-lb');
    await runTurn(root, a, 'bead-la', (dir) => editLine(dir, 'shared.txt', 3, 'line 3 by a'));
    await runTurn(root, b, 'bead-lb', (dir) => editLine(dir, 'shared.txt', 9, 'line 9 by b'));
    assert.equal((await commitWork(commitInput(a, 'bead-la'), deps())).outcome, 'success');
    const rb = await commitWork(commitInput(b, 'bead-lb'), deps());
    assert.equal(rb.outcome, 'success', rb.summary);
    const shared = showFile(repos.remote, 'shared.txt').split('\n');
    assert.deepEqual([shared[2], shared[8]], ['line 3 by a', 'line 9 by b']);
    assert.deepEqual(merges(repos.remote), []);
  });

  test("a real conflict fails with the paths; nothing lands and the bead's ref keeps the work", async () => {
    const a = await prepare('bead-ca');
    const b = await prepare('bead-cb');
    await runTurn(root, a, 'bead-ca', (dir) => editLine(dir, 'shared.txt', 20, 'line 20 by a'));
    await runTurn(root, b, 'bead-cb', (dir) => editLine(dir, 'shared.txt', 20, 'line 20 by b'));
    assert.equal((await commitWork(commitInput(a, 'bead-ca'), deps())).outcome, 'success');
    const tip = git(repos.remote, 'rev-parse', 'main').trim();
    const rb = await commitWork(commitInput(b, 'bead-cb', 'b changes line 20'), deps());
    assert.equal(rb.outcome, 'failure');
    assert.deepEqual(rb.conflicts, ['shared.txt']);
    assert.match(rb.summary, /conflicts with main in shared\.txt; nothing landed/);
    assert.equal(git(repos.remote, 'rev-parse', 'main').trim(), tip, 'nothing pushed');
    assert.equal(git(repos.remote, 'rev-parse', b.ref!).trim(), b.head, 'the bead ref is unchanged');
    assert.equal(showFile(repos.remote, 'shared.txt', b.ref).split('\n')[19], 'line 20 by b');
  });

  test('a stale fencing token is not pushed', async () => {
    const ws = await prepare('bead-stale');
    await runTurn(root, ws, 'bead-stale', (dir) => writeIn(dir, 'stale.txt', 'late\n'));
    const tip = git(repos.remote, 'rev-parse', 'main').trim();
    const result = await commitWork(
      commitInput(ws, 'bead-stale'),
      deps({ fenceProblem: async () => 'fencing token 1 is no longer current' }),
    );
    assert.deepEqual([result.outcome, result.pushed], ['failure', false]);
    assert.equal(result.summary, 'not pushed: fencing token 1 is no longer current');
    assert.equal(git(repos.remote, 'rev-parse', 'main').trim(), tip);
  });

  test('a push rejected because someone pushed outside the lock is fetched, squashed and retried', async () => {
    const ws = await prepare('bead-race');
    await runTurn(root, ws, 'bead-race', (dir) => writeIn(dir, 'race.txt', 'mine\n'));
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
    const result = await commitWork(commitInput(ws, 'bead-race', 'raced'), deps({ fenceProblem: sneakIn }));
    assert.equal(result.outcome, 'success', result.summary);
    assert.match(result.summary, /after 2 tries/);
    assert.deepEqual(subjects(repos.remote).slice(0, 2), ['raced', 'outside the lock']);
  });

  test('pushed, then the fetch after the push failed: reported as pushed', async () => {
    const r = makeRemote({ 'README.md': '# gone\n' }, 'beadflow-unit-gone-');
    try {
      const ws = await prepareWorkspace({ beadId: 'bead-gone', repo: r.remote }, r.worktrees);
      await runTurn(r.worktrees, ws, 'bead-gone', (dir) => writeIn(dir, 'gone.txt', 'landed\n'));
      // The remote disappears right after it accepts the push: the next fetch cannot reach it.
      const hook = path.join(r.remote, 'hooks', 'post-receive');
      writeFileSync(hook, `#!/bin/sh\nmv "${r.remote}" "${r.remote}.moved"\n`);
      chmodSync(hook, 0o755);
      const result = await commitWork(commitInput(ws, 'bead-gone', 'gone'), commitDeps(r.worktrees));
      assert.deepEqual([result.outcome, result.pushed], ['success', true], result.summary);
      assert.equal(subjects(`${r.remote}.moved`)[0], 'gone');
      renameSync(`${r.remote}.moved`, r.remote);
    } finally {
      r.cleanup();
    }
  });

  test('a cancelled commit stops before touching git', async () => {
    const ws = await prepare('bead-cancel');
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(commitWork(commitInput(ws, 'bead-cancel'), deps({ signal: ctl.signal })), /cancelled before starting/);
  });
});
