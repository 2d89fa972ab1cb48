/**
 * No-op git for the lock section: the bench worker registers these in place of the real
 * `prepareWorkspace` and `commitWork`, so beads take the real commit lock (real `commitLock`
 * workflow, real request/grant/release signals) but their commits cost nothing. Only beads with a
 * repository reach them; the other sections' beads have none.
 */
import type { Client } from '@temporalio/client';
import { releaseAfterCommit } from '../src/activities/git';
import type { CommitActivities, CommitWorkInput, CommitWorkResult, PrepareWorkspaceInput, Workspace } from '../src/activities/git/types';

/** The lock workflow id for a benchmark repository name. */
export function benchLockId(repo: string): string {
  return `commit-lock-${repo.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

export function stubCommitActivities(
  onCommit: (input: CommitWorkInput, start: number, end: number) => void,
  now: () => number,
  client: Client,
): Pick<CommitActivities, 'prepareWorkspace' | 'commitWork'> {
  return {
    async prepareWorkspace(input: PrepareWorkspaceInput): Promise<Workspace> {
      return {
        worktree: `/nonexistent/bench/${input.beadId}`,
        branch: `beadflow/${input.beadId}`,
        targetBranch: 'main',
        upstream: input.repo,
        lockId: benchLockId(input.repo),
      };
    },
    async commitWork(input: CommitWorkInput): Promise<CommitWorkResult> {
      const start = now();
      onCommit(input, start, now());
      const result: CommitWorkResult = {
        outcome: 'success',
        summary: `no-op commit (token ${input.token})`,
        agent: 'bench',
        pushed: false,
      };
      // Released like the real commit, so the benchmark measures the hand-off users get.
      return releaseAfterCommit(client, input, result, () => undefined);
    },
  };
}
