/**
 * A bead's workspace at its start: the ref `refs/beadflow/<bead>` on the remote, created at the
 * target's tip (or found, when the bead resumes or the activity is retried). Nothing is checked
 * out here: every activity that works on the bead's code makes its own worktree on its own host
 * (src/activities/git/clone.ts) from the commit the workflow recorded.
 */
import type { PrepareWorkspaceInput, Workspace } from './types';
import { beadRef, fetchTarget, openClone, remoteHeadBranch, type HostClone } from './clone';
import { checkBranchName, lockWorkflowId, resolveUpstream } from './repo';
import { runGit, tryGit } from './run-git';

export async function prepareWorkspace(input: PrepareWorkspaceInput, root: string, log?: HostClone['log']): Promise<Workspace> {
  const upstream = await resolveUpstream(input.repo);
  const clone = await openClone(upstream, root, log);
  const targetBranch = input.targetBranch?.trim() || (await remoteHeadBranch(clone)) || 'main';
  checkBranchName(targetBranch);
  const base = await fetchTarget(clone, targetBranch);
  const ref = beadRef(input.beadId);
  const head = await createOrFindRef(clone, ref, base);
  return { ref, head, base, branch: ref, targetBranch, upstream, lockId: lockWorkflowId(upstream) };
}

/** The ref's commit on the remote; a missing ref is created at `base` (lease: it must not exist yet). */
async function createOrFindRef(clone: HostClone, ref: string, base: string): Promise<string> {
  for (let tries = 0; tries < 3; tries++) {
    const found = (await runGit(clone.gitDir, ['ls-remote', 'origin', ref])).split(/\s/)[0];
    if (found) return found;
    const pushed = await tryGit(clone.gitDir, ['push', '--porcelain', `--force-with-lease=${ref}:`, 'origin', `${base}:${ref}`]);
    if (pushed.code === 0) return base;
    // Refused: a retried attempt or a concurrent start created it meanwhile; read it again.
  }
  throw new Error(`cannot create ${ref} on ${clone.upstream}: the push was refused three times`);
}
