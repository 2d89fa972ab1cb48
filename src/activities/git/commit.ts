/**
 * A commit node's git work, run while the bead holds the repository's commit lock, on whatever
 * host runs it:
 *   1. fetch the target branch and the bead's recorded commit into this host's clone;
 *   2. check the target out clean and squash the bead's work onto it (`git merge --squash`: the
 *      change between where the bead started and its recorded commit); a conflict fails the node
 *      with the conflicting paths and both sides (`conflict`: the commit node may run a resolution
 *      turn on it), the bead's ref untouched;
 *   3. drop the notes folder (`.beadflow/notes/`) from what lands: notes stay on the bead's ref;
 *   4. commit with the bead's title and trailers, ask the lock whether our fencing token is still
 *      current (a holder whose lease ran out must not push);
 *   5. push to the target (plain, non-forced: git refuses anything but a fast-forward, so even a
 *      stale pusher slipping past step 4 cannot lose commits); refused → fetch and squash again.
 * Squashing from the recorded commit makes a retry idempotent: when an earlier attempt's push
 * landed, the squash finds the change already on the target and there is nothing to commit.
 */
import { CancelledFailure } from '@temporalio/common';
import { readConflictHunks, unmergedFiles } from './conflict-files';
import { acquire } from './mutex';
import { checkoutClean, ensureCommit, fetchTarget, openClone, worktreeDir, type HostClone } from './clone';
import { commitLegacyWorktree } from './legacy-commit';
import { commitMessage } from './message';
import { NOTES_DIR } from './notes';
import { firstLine } from './repo';
import { runGit, tryGit } from './run-git';
import type { CommitWorkInput, CommitWorkResult } from './types';

const AGENT = 'git';
const PUSH_TRIES = 3;

export interface CommitDeps {
  /** Is `token` (of `requestId`) still the lock's current grant? Returns why not, or undefined. */
  fenceProblem(lockId: string, requestId: string, token: number): Promise<string | undefined>;
  signal: AbortSignal;
  log(message: string, fields?: Record<string, unknown>): void;
  heartbeat(): void;
  /** This host's worktrees root (required for beads whose work is on a ref). */
  root?: string;
}

export async function commitWork(input: CommitWorkInput, deps: CommitDeps): Promise<CommitWorkResult> {
  const ws = input.workspace;
  if (!ws.ref || !ws.head) return commitLegacyWorktree(input, deps);
  if (!deps.root) throw new Error('commitWork needs the worktrees root for beads whose work is on a ref');
  const step = (what: string) => {
    if (deps.signal.aborted) throw new CancelledFailure(`commit of ${input.beadId} cancelled before ${what}`);
    deps.heartbeat();
  };
  step('starting');
  const clone = await openClone(ws.upstream, deps.root, deps.log);
  const release = await acquire(worktreeDir(clone, input.beadId));
  try {
    await ensureCommit(clone, ws.ref, ws.head);
    for (let tryNo = 1; ; tryNo++) {
      step('fetching');
      const target = await fetchTarget(clone, ws.targetBranch);
      step('squashing');
      const dir = await checkoutClean(clone, input.beadId, target);
      const squash = await squashOnto(dir, ws.head, ws.landed);
      if (squash.conflicts) {
        const { hunks, omitted } = readConflictHunks(dir, squash.conflicts, 'target');
        await runGit(dir, ['reset', '--hard', target]);
        return {
          conflict: { files: squash.conflicts, targetBranch: ws.targetBranch, targetSha: target, hunks, omitted },
          outcome: 'failure',
          agent: AGENT,
          pushed: false,
          conflicts: squash.conflicts,
          summary: `the bead's work (${ws.ref} at ${ws.head.slice(0, 10)}) conflicts with ${ws.targetBranch} in ${squash.conflicts.join(', ')}; nothing landed, the bead's ref is unchanged`,
        };
      }
      const notes = await dropNotes(dir, target);
      if (!squash.changed || (await tryGit(dir, ['diff', '--cached', '--quiet'])).code === 0) {
        const why = ws.head === ws.base ? 'the bead changed nothing' : `its changes are already on ${ws.targetBranch}`;
        return {
          outcome: 'success',
          agent: AGENT,
          pushed: false,
          summary: `nothing to commit: ${notes ? `${why} (only notes, which stay on the bead's ref)` : why}`,
        };
      }
      await runGit(dir, ['commit', '--quiet', '--no-verify', '-m', commitMessage(input)]);
      const sha = (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
      step('checking the fencing token');
      const stale = await deps.fenceProblem(ws.lockId, input.requestId, input.token);
      if (stale) return { outcome: 'failure', agent: AGENT, pushed: false, summary: `not pushed: ${stale}` };
      step('pushing');
      const rejected = await push(dir, ws.targetBranch, sha);
      if (!rejected) {
        await refreshAfterPush(clone, ws.targetBranch, deps);
        const rebased = tryNo > 1 ? ` after ${tryNo} tries` : '';
        const notesNote = notes ? `; ${notes} note file(s) kept on the bead's ref` : '';
        return {
          outcome: 'success',
          agent: AGENT,
          pushed: true,
          sha,
          summary: `pushed ${sha.slice(0, 10)} to ${ws.targetBranch} (1 commit squashed from ${ws.ref}${rebased}${notesNote})`,
        };
      }
      if (tryNo >= PUSH_TRIES)
        throw new Error(`push to ${ws.targetBranch} rejected ${tryNo} times: ${rejected}; someone pushes to it without the commit lock`);
      deps.log('push rejected: the target moved outside the commit lock; fetching and squashing again', {
        target: ws.targetBranch,
        reason: rejected,
      });
    }
  } finally {
    release();
  }
}

/**
 * The bead's change applied to the checked-out target, conflicts listed, not thrown. First landing:
 * `git merge --squash` (everything since the bead branched). Later landings: only what changed since
 * the commit that landed last (a cherry-pick of a commit with that tree on top of it), since the
 * target already has the rest.
 */
async function squashOnto(dir: string, head: string, landed?: string): Promise<{ changed: boolean; conflicts?: string[] }> {
  let merged;
  if (landed) {
    if ((await tryGit(dir, ['diff', '--quiet', landed, head])).code === 0) return { changed: false };
    const tree = (await runGit(dir, ['rev-parse', `${head}^{tree}`])).trim();
    const since = (await runGit(dir, ['commit-tree', tree, '-p', landed, '-m', 'bead work since its last landing'])).trim();
    merged = await tryGit(dir, ['cherry-pick', '--no-commit', since]);
  } else merged = await tryGit(dir, ['merge', '--squash', '--no-commit', head]);
  if (merged.code === 0) return { changed: !/Already up to date/i.test(merged.stdout) };
  const conflicts = await unmergedFiles(dir);
  if (conflicts.length === 0)
    throw new Error(`squash of ${head.slice(0, 10)} failed: ${(merged.stderr || merged.stdout).trim().split('\n').slice(-2).join(' / ')}`);
  return { changed: true, conflicts };
}

/** Puts the notes folder back as the target has it; returns how many note files were left out. */
async function dropNotes(dir: string, target: string): Promise<number> {
  const staged = (await runGit(dir, ['diff', '--cached', '--name-only', '--', NOTES_DIR])).split('\n').filter(Boolean);
  if (staged.length > 0) await runGit(dir, ['reset', '--quiet', target, '--', NOTES_DIR]);
  return staged.length;
}

/** Pushes `sha` to the target; returns git's reason when the remote refused a non-fast-forward. */
async function push(dir: string, target: string, sha: string): Promise<string | undefined> {
  const result = await tryGit(dir, ['push', '--porcelain', 'origin', `${sha}:refs/heads/${target}`]);
  if (result.code === 0) return undefined;
  const text = `${result.stdout}\n${result.stderr}`;
  const refusal = /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/i;
  if (refusal.test(text))
    return (
      text
        .split('\n')
        .find((l) => refusal.test(l))
        ?.trim() ?? firstLine(text)
    );
  throw new Error(`push to ${target} failed: ${text.trim().split('\n').slice(-2).join(' / ')}`);
}

/** The push landed: a failing fetch afterwards (network, remote restarting) must not turn that into a failure. */
async function refreshAfterPush(clone: HostClone, target: string, deps: CommitDeps): Promise<void> {
  try {
    await fetchTarget(clone, target);
  } catch (err) {
    deps.log('pushed; the fetch after the push failed (ignored: the push landed)', { error: firstLine(err) });
  }
}
