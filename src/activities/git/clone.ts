/**
 * This host's copy of a repository: a bare clone under `<worktrees root>/<repo hash>/.repo.git`
 * and one worktree per bead beside it (`<repo hash>/<bead>`). Nothing here is shared between
 * hosts: the remote is the only place a bead's work is kept, so a clone or worktree can be
 * deleted at any time and is made again from the remote.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../shared/errors';
import { firstLine, gitConfigurationError, repoKey, safeName, withRepoLock } from './repo';
import { removeStaleLocks } from './locks';
import { runGit, tryGit } from './run-git';

/** Commits made by beadflow carry this identity unless the clone says otherwise. */
const IDENTITY = { name: 'beadflow', email: 'beadflow@localhost' };

export interface HostClone {
  upstream: string;
  key: string;
  /** `<root>/<key>`: the clone and the beads' worktrees. */
  dir: string;
  /** The bare clone. */
  gitDir: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The ref on the remote where a bead's work lives. */
export function beadRef(beadId: string): string {
  return `refs/beadflow/${safeName(beadId)}`;
}

/** This host's clone of `upstream` under `root`, made once; stale lock files a killed git left are removed first. */
export async function openClone(upstream: string, root: string, log?: HostClone['log']): Promise<HostClone> {
  const key = repoKey(upstream);
  const dir = path.join(root, key);
  const gitDir = path.join(dir, '.repo.git');
  const clone: HostClone = { upstream, key, dir, gitDir, log };
  await withRepoLock(key, async () => {
    if (!existsSync(path.join(gitDir, 'HEAD'))) await makeClone(upstream, dir, gitDir);
    clearStaleLocks(clone);
  });
  return clone;
}

/** Removes lock files left by a killed git in this host's clone and, when the remote is a local path, in the remote. */
export function clearStaleLocks(clone: HostClone): void {
  const removed = removeStaleLocks(clone.gitDir, clone.dir);
  if (path.isAbsolute(clone.upstream) && existsSync(clone.upstream)) {
    const remoteGitDir = existsSync(path.join(clone.upstream, 'HEAD')) ? clone.upstream : path.join(clone.upstream, '.git');
    removed.push(...removeStaleLocks(remoteGitDir, clone.upstream));
  }
  if (removed.length) clone.log?.('removed stale git lock files left by a dead process', { files: removed });
}

/** A half-made clone never takes the real name (clone to tmp, rename). */
async function makeClone(upstream: string, dir: string, gitDir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tmp = `${gitDir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  // No background gc: it would repack refs while beads' worktrees update theirs.
  const config = [
    'remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*',
    'gc.auto=0',
    `user.name=${IDENTITY.name}`,
    `user.email=${IDENTITY.email}`,
  ];
  try {
    await runGit(dir, ['clone', '--bare', '--quiet', ...config.flatMap((c) => ['--config', c]), '--', upstream, tmp]);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`cannot clone ${upstream}: ${firstLine(err)}`);
  }
  try {
    renameSync(tmp, gitDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(gitDir, 'HEAD'))) throw err; // else another worker made it first: use theirs
  }
}

/** The branch the remote's HEAD points at (`git ls-remote --symref origin HEAD`), if it says. */
export async function remoteHeadBranch(clone: HostClone): Promise<string | undefined> {
  const out = await runGit(clone.gitDir, ['ls-remote', '--symref', 'origin', 'HEAD']);
  return /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(out)?.[1];
}

/** Updates refs/remotes/origin/<branch> and returns its commit; a branch the remote lacks is a configuration error. */
export async function fetchTarget(clone: HostClone, branch: string): Promise<string> {
  const result = await withRepoLock(clone.key, () =>
    tryGit(clone.gitDir, ['fetch', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]),
  );
  if (result.code !== 0) {
    const text = (result.stderr || result.stdout).trim();
    if (/couldn't find remote ref|no such ref/i.test(text)) {
      throw gitConfigurationError(
        `the repository has no branch "${branch}" (${text.split('\n')[0]}): push an initial commit to it, or set the bead's target branch`,
      );
    }
    throw new Error(`cannot fetch ${branch} from ${clone.upstream}: ${text.split('\n').slice(-2).join(' / ')}`);
  }
  return (await runGit(clone.gitDir, ['rev-parse', `refs/remotes/origin/${branch}^{commit}`])).trim();
}

export async function hasCommit(clone: HostClone, sha: string): Promise<boolean> {
  return (await tryGit(clone.gitDir, ['cat-file', '-e', `${sha}^{commit}`])).code === 0;
}

/** Makes sure `sha` is in this host's clone, fetching the bead's ref when it is not (another host made it). */
export async function ensureCommit(clone: HostClone, ref: string, sha: string): Promise<void> {
  if (await hasCommit(clone, sha)) return;
  await withRepoLock(clone.key, () => runGit(clone.gitDir, ['fetch', '--no-tags', 'origin', `+${ref}:${ref}`]));
  if (await hasCommit(clone, sha)) return;
  // The ref moved on or was deleted: no retry brings the commit back.
  throw ApplicationFailure.create({
    type: ERROR_TYPES.beadWorkMissing,
    nonRetryable: true,
    message: `commit ${sha.slice(0, 10)} of ${ref} is not on ${clone.upstream}: the bead's ref was deleted or rewritten. Hint: restore the ref (\`git push <remote> ${sha}:${ref}\`) or start the bead again`,
    details: [{ ref, sha, upstream: clone.upstream }],
  });
}

/** The worktree of `beadId` on this host, checked out clean at `commit` (detached): reset, cleaned, no merge or rebase left over. */
export async function checkoutClean(clone: HostClone, beadId: string, commit: string): Promise<string> {
  const dir = worktreeDir(clone, beadId);
  if (!(await isWorktreeOf(clone, dir))) {
    // A directory git does not know (a killed `worktree add`, a deleted gitdir) is our own leftover: remake it.
    rmSync(dir, { recursive: true, force: true });
    await withRepoLock(clone.key, async () => {
      await runGit(clone.gitDir, ['worktree', 'prune']);
      await runGit(clone.gitDir, ['worktree', 'add', '--detach', '--force', dir, commit]);
    });
    return dir;
  }
  const gitDir = (await runGit(dir, ['rev-parse', '--absolute-git-dir'])).trim();
  for (const leftover of ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'MERGE_MSG', 'SQUASH_MSG', 'CHERRY_PICK_HEAD', 'sequencer'])
    rmSync(path.join(gitDir, leftover), { recursive: true, force: true });
  await runGit(dir, ['checkout', '--force', '--detach', commit]);
  await runGit(dir, ['reset', '--hard', commit]);
  await runGit(dir, ['clean', '-ffdx']);
  return dir;
}

export function worktreeDir(clone: HostClone, beadId: string): string {
  return path.join(clone.dir, safeName(beadId));
}

async function isWorktreeOf(clone: HostClone, dir: string): Promise<boolean> {
  const dotGit = path.join(dir, '.git');
  if (!existsSync(dotGit)) return false;
  try {
    const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    return !!pointer && existsSync(pointer) && path.resolve(pointer).startsWith(path.resolve(clone.gitDir) + path.sep);
  } catch {
    return false;
  }
}

/** Removes a bead's worktree from this host (its work is on the remote). */
export async function removeWorktree(clone: HostClone, beadId: string): Promise<boolean> {
  const dir = worktreeDir(clone, beadId);
  if (!existsSync(dir)) return false;
  rmSync(dir, { recursive: true, force: true });
  await withRepoLock(clone.key, () => runGit(clone.gitDir, ['worktree', 'prune']));
  return true;
}
