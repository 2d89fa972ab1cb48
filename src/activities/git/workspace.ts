/**
 * A bead's workspace: a worktree on branch `beadflow/<beadId>` of a beadflow-owned bare clone of
 * the repository, under `<worktrees root>/<repo hash>/` (the clone is `.repo.git` there, each
 * bead's worktree `<beadId>`). Idempotent: a bead that resumes (retry, continue-as-new, another
 * worker) finds its branch and worktree as it left them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { PrepareWorkspaceInput, Workspace } from './types';
import { beadBranch, checkBranchName, firstLine, gitConfigurationError, lockWorkflowId, repoKey, resolveUpstream, safeName, withRepoLock } from './repo';

/** Commits made by beadflow carry this identity unless the clone says otherwise. */
const IDENTITY = { name: 'beadflow', email: 'beadflow@localhost' };

export async function prepareWorkspace(input: PrepareWorkspaceInput, root: string): Promise<Workspace> {
  const upstream = await resolveUpstream(input.repo);
  const key = repoKey(upstream);
  const dir = path.join(root, key);
  const clone = path.join(dir, '.repo.git');
  return withRepoLock(key, async () => {
    await ensureClone(upstream, dir, clone);
    const git = simpleGit(clone);
    const targetBranch = input.targetBranch?.trim() || (await remoteHeadBranch(clone)) || 'main';
    checkBranchName(targetBranch);
    await fetchTarget(clone, targetBranch);
    const branch = beadBranch(input.beadId);
    const worktree = path.join(dir, safeName(input.beadId));
    const hasBranch = await git.raw(['rev-parse', '--verify', `refs/heads/${branch}`]).then(
      () => true,
      () => false,
    );
    const listed = await worktreeListed(clone, worktree);
    if (!listed || !existsSync(path.join(worktree, '.git'))) {
      if (listed) await git.raw(['worktree', 'prune', '--verbose']); // its directory was deleted: forget it
      if (existsSync(worktree) && readdirSync(worktree).length > 0) {
        throw gitConfigurationError(`${worktree} exists and is not a worktree of ${upstream}: move it away so bead ${input.beadId} can have its worktree there`);
      }
      // A new bead's branch starts at the target's tip; a resumed one keeps its own.
      const add = hasBranch ? [worktree, branch] : ['--no-track', '-b', branch, worktree, `refs/remotes/origin/${targetBranch}`];
      await git.raw(['worktree', 'add', ...add]);
    }
    return { worktree, branch, targetBranch, upstream, lockId: lockWorkflowId(upstream) };
  });
}

// simple-git waits 50 ms after a command that printed nothing (it cannot tell it finished
// otherwise), so commands here ask git to say something (--verbose, no --quiet) where that is free.

/** Clones once per repository; a half-made clone never takes the real name (clone to tmp, rename). */
async function ensureClone(upstream: string, dir: string, clone: string): Promise<void> {
  if (existsSync(path.join(clone, 'HEAD'))) return;
  mkdirSync(dir, { recursive: true });
  const tmp = `${clone}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  // A bare clone has no remote-tracking refs; ours fetch into refs/remotes/origin/* like a normal
  // clone. No background gc: it would repack refs while beads' worktrees update theirs.
  const config = ['remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*', 'gc.auto=0', `user.name=${IDENTITY.name}`, `user.email=${IDENTITY.email}`];
  try {
    await simpleGit().clone(upstream, tmp, ['--bare', ...config.flatMap((c) => ['--config', c])]);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`cannot clone ${upstream}: ${firstLine(err)}`);
  }
  try {
    renameSync(tmp, clone);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(clone, 'HEAD'))) throw err; // else another worker made it first: use theirs
  }
}

/** The branch the remote's HEAD points at (`git ls-remote --symref origin HEAD`), if it says. */
async function remoteHeadBranch(clone: string): Promise<string | undefined> {
  const out = await simpleGit(clone).raw(['ls-remote', '--symref', 'origin', 'HEAD']);
  return /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(out)?.[1];
}

/** Updates refs/remotes/origin/<branch>; a branch the remote lacks is a configuration error. */
export async function fetchTarget(clone: string, branch: string): Promise<void> {
  try {
    await simpleGit(clone).raw(['fetch', '--verbose', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
  } catch (err) {
    const text = firstLine(err);
    if (/couldn't find remote ref|no such ref/i.test(String(err))) {
      throw gitConfigurationError(`the repository has no branch "${branch}" (${text}): push an initial commit to it, or set the bead's target branch`);
    }
    throw err;
  }
}

/** Whether git knows `worktree` as one of the clone's worktrees (its directory may be gone). */
async function worktreeListed(clone: string, worktree: string): Promise<boolean> {
  const list = await simpleGit(clone).raw(['worktree', 'list', '--porcelain']);
  const real = existsSync(worktree) ? realpathSync(worktree) : path.resolve(worktree);
  return list.split('\n').some((line) => line.startsWith('worktree ') && (line.slice(9) === real || line.slice(9) === worktree));
}
