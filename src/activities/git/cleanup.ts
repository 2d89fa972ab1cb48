/**
 * Removing what finished beads leave: this host's worktree of a bead and, once the bead
 * completed, its ref on the remote. A failed bead's ref and worktree are kept so someone can look
 * at them; `beadflow gc` removes them after the retention period.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isHeld } from './mutex';
import { openClone, removeWorktree, type HostClone } from './clone';
import { runGit, tryGit } from './run-git';
import type { CleanupWorkspaceInput } from './types';

export async function cleanupWorkspace(input: CleanupWorkspaceInput, root: string, log?: HostClone['log']): Promise<{ removed: string[] }> {
  const ws = input.workspace;
  const removed: string[] = [];
  if (!ws.ref || input.status !== 'completed') return { removed };
  const clone = await openClone(ws.upstream, root, log);
  if (await deleteRemoteRef(clone, ws.ref)) removed.push(`${ws.upstream} ${ws.ref}`);
  if (await removeWorktree(clone, input.beadId)) removed.push(path.join(clone.dir, path.basename(ws.ref)));
  return { removed };
}

/** Deletes a bead's ref on the remote; false when it was already gone. */
export async function deleteRemoteRef(clone: HostClone, ref: string): Promise<boolean> {
  const result = await tryGit(clone.gitDir, ['push', '--porcelain', 'origin', '--delete', ref]);
  if (result.code === 0) {
    await tryGit(clone.gitDir, ['update-ref', '-d', ref]);
    return true;
  }
  if (/remote ref does not exist|unable to delete/i.test(result.stderr + result.stdout)) return false;
  throw new Error(`cannot delete ${ref} on ${clone.upstream}: ${(result.stderr || result.stdout).trim().split('\n').slice(-1)[0]}`);
}

/** The bead refs the remote still has, by name under refs/beadflow/ (→ commit). */
export async function remoteBeadRefs(clone: HostClone): Promise<Map<string, string>> {
  const out = await runGit(clone.gitDir, ['ls-remote', 'origin', 'refs/beadflow/*']);
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (sha && ref?.startsWith('refs/beadflow/')) refs.set(ref.slice('refs/beadflow/'.length), sha);
  }
  return refs;
}

export interface LocalClone {
  dir: string;
  gitDir: string;
  upstream: string;
  /** Worktree directory names (= bead ref names). */
  worktrees: string[];
}

/** The clones this host keeps under `root`, with their beads' worktrees. */
export async function localClones(root: string): Promise<LocalClone[]> {
  if (!existsSync(root)) return [];
  const clones: LocalClone[] = [];
  for (const key of readdirSync(root)) {
    const dir = path.join(root, key);
    const gitDir = path.join(dir, '.repo.git');
    if (!existsSync(path.join(gitDir, 'HEAD'))) continue;
    const upstream = (await tryGit(gitDir, ['config', '--get', 'remote.origin.url'])).stdout.trim();
    const worktrees = readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(path.join(dir, name)).isDirectory());
    clones.push({ dir, gitDir, upstream, worktrees });
  }
  return clones;
}

/** Removes this host's worktrees whose bead ref is gone from the remote (the bead finished elsewhere). */
export async function sweepWorktrees(root: string, log?: HostClone['log']): Promise<string[]> {
  const removed: string[] = [];
  for (const local of await localClones(root)) removed.push(...(await sweepClone(await openClone(local.upstream, root, log))));
  return removed;
}

/** One clone's leftovers: worktrees of beads whose ref is gone, half-made clones, git's stale worktree records. */
export async function sweepClone(clone: HostClone): Promise<string[]> {
  const removed: string[] = [];
  const live = await remoteBeadRefs(clone);
  for (const name of readdirSync(clone.dir)) {
    const dir = path.join(clone.dir, name);
    if (name.startsWith('.repo.git.tmp-')) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
      continue;
    }
    if (name.startsWith('.') || live.has(name) || isHeld(dir) || !statSync(dir).isDirectory()) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  await runGit(clone.gitDir, ['worktree', 'prune']);
  return removed;
}
