/**
 * Commit work of runs started before beads kept their work on a ref (their workspace names a
 * worktree on the host that prepared it). Run while the bead holds the repository's commit lock:
 *   1. commit the worktree's changes (staged, unstaged, untracked) on the bead's branch;
 *   2. fetch the target branch and rebase the bead's branch onto it (a conflict aborts the
 *      rebase and fails the node with the conflicting paths: branch and worktree stay intact);
 *   3. ask the lock whether our fencing token is still current (a holder whose lease ran out
 *      must not push);
 *   4. push to the target branch (a plain, non-forced push: git itself refuses anything that
 *      is not a fast-forward, so even a stale pusher slipping past step 3 cannot lose commits).
 * Committing before the rebase (not after) because git only rebases a clean worktree; the
 * history that lands is the same: the bead's commit on top of the target.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { CommitDeps } from './commit';
import { commitMessage } from './message';
import type { CommitWorkInput, CommitWorkResult } from './types';
import { firstLine, repoKey, withRepoLock } from './repo';

const AGENT = 'git';
const PUSH_TRIES = 3;

export async function commitLegacyWorktree(input: CommitWorkInput, deps: CommitDeps): Promise<CommitWorkResult> {
  const ws = input.workspace as CommitWorkInput['workspace'] & { worktree: string };
  const git = simpleGit({ baseDir: ws.worktree });
  const target = ws.targetBranch;
  const base = `refs/remotes/origin/${target}`;
  const step = (what: string) => {
    if (deps.signal.aborted) throw new CancelledFailure(`commit of ${input.beadId} cancelled before ${what}`);
    deps.heartbeat();
  };

  step('starting');
  await abortLeftoverRebase(git);
  const committed = await commitChanges(git, input);
  for (let tryNo = 1; ; tryNo++) {
    step('fetching');
    await withRepoLock(repoKey(ws.upstream), () => fetchTarget(ws.worktree, target));
    step('rebasing');
    const conflicts = await rebaseOnto(git, base);
    if (conflicts) {
      return {
        outcome: 'failure',
        agent: AGENT,
        pushed: false,
        conflicts,
        summary: `rebase of ${ws.branch} onto ${target} conflicts in ${conflicts.join(', ')}; rebase aborted, branch ${ws.branch} and worktree ${ws.worktree} kept as they were`,
      };
    }
    const ahead = Number((await git.raw(['rev-list', '--count', `${base}..HEAD`])).trim());
    if (ahead === 0) {
      const why = committed ? `its changes are already on ${target}` : 'the worktree has no changes';
      return { outcome: 'success', agent: AGENT, pushed: false, summary: `nothing to commit: ${why}` };
    }
    step('checking the fencing token');
    const stale = await deps.fenceProblem(ws.lockId, input.requestId, input.token);
    if (stale) return { outcome: 'failure', agent: AGENT, pushed: false, summary: `not pushed: ${stale}` };
    step('pushing');
    const rejected = await push(git, target);
    if (!rejected) {
      const sha = (await git.revparse(['HEAD'])).trim();
      await withRepoLock(repoKey(ws.upstream), () => fetchTarget(ws.worktree, target));
      const rebased = tryNo > 1 ? ` after ${tryNo} tries` : '';
      return {
        outcome: 'success',
        agent: AGENT,
        pushed: true,
        sha,
        summary: `pushed ${sha.slice(0, 10)} to ${target} (${ahead} commit${ahead === 1 ? '' : 's'} from ${ws.branch}${rebased})`,
      };
    }
    if (tryNo >= PUSH_TRIES)
      throw new Error(`push to ${target} rejected ${tryNo} times: ${rejected}; someone pushes to it without the commit lock`);
    deps.log('push rejected: the target moved outside the commit lock; fetching and rebasing again', { target, reason: rejected });
  }
}

/** A worker that died mid-rebase leaves one in progress; the bead's commits are safe on its branch. */
async function abortLeftoverRebase(git: SimpleGit): Promise<void> {
  const gitDir = (await git.raw(['rev-parse', '--absolute-git-dir'])).trim();
  if (existsSync(path.join(gitDir, 'rebase-merge')) || existsSync(path.join(gitDir, 'rebase-apply'))) await git.raw(['rebase', '--abort']);
}

/** Stages everything and commits it with a message made from the bead; false when nothing changed. */
async function commitChanges(git: SimpleGit, input: CommitWorkInput): Promise<boolean> {
  await git.raw(['add', '--all', '--verbose']);
  const status = await git.status();
  if (status.staged.length === 0 && status.files.length === 0) return false;
  // The title is user input: it reaches git as one argv entry (no shell), whatever it contains.
  await git.commit(commitMessage(input));
  return true;
}

/** Rebases HEAD onto `base`; returns the conflicting paths (rebase aborted), or undefined when clean. */
async function rebaseOnto(git: SimpleGit, base: string): Promise<string[] | undefined> {
  try {
    await git.raw(['rebase', base]);
    return undefined;
  } catch (err) {
    const conflicts = (await git.raw(['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
    await git.raw(['rebase', '--abort']).catch(() => undefined);
    if (conflicts.length === 0) throw new Error(`rebase onto ${base} failed: ${firstLine(err)}`);
    return conflicts;
  }
}

/** Pushes HEAD to the target; returns git's reason when the remote refused a non-fast-forward. */
async function push(git: SimpleGit, target: string): Promise<string | undefined> {
  try {
    await git.raw(['push', '--verbose', 'origin', `HEAD:refs/heads/${target}`]);
    return undefined;
  } catch (err) {
    const text = String(err instanceof Error ? err.message : err);
    const refusal = /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/i;
    if (refusal.test(text))
      return (
        text
          .split('\n')
          .find((l) => refusal.test(l))
          ?.trim() ?? firstLine(err)
      );
    throw err;
  }
}

async function fetchTarget(worktree: string, branch: string): Promise<void> {
  await simpleGit(worktree).raw(['fetch', '--verbose', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
}
