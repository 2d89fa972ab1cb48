/**
 * A conflict-resolution turn, on a worker of the definition's integration role: the bead's
 * worktree at its recorded commit, the target's tip merged into it (git leaves the markers), the
 * agent asked to resolve them, then beadflow checks that no marker and no unmerged path remains,
 * concludes the merge and pushes it to the bead's ref with a lease (as any turn does). The merge
 * commit has the target's tip as a parent, so the commit node's retried squash onto that tip is
 * clean. Nothing here touches the target branch: only the commit node pushes there, under the lock.
 */
import type { FinishTurnResult } from '../shared/agent-loop';
import { isLoopPlanner } from './agents/llm';
import type { AgentProvider, TurnContext } from './agents/provider';
import { filesWithMarkers, readConflictHunks, unmergedFiles } from './git/conflict-files';
import { conflictInstructions } from './git/conflict-prompt';
import { fetchTarget } from './git/clone';
import { runGit, tryGit } from './git/run-git';
import { Workspaces, type PreparedTurn, type TurnIdentity } from './git/turn-workspace';
import type { ResolveConflictInput, ResolveConflictResult } from './types';

/** The resolution turn's node key, as scripted scenarios and command agents (NODE_KEY) see it. */
export function resolutionNodeKey(commitNode: string): string {
  return `${commitNode}:resolve`;
}

export async function resolveConflict(
  input: ResolveConflictInput,
  provider: AgentProvider,
  workspaces: Workspaces,
  ctx: TurnContext,
  /** This worker's host queue: a model agent's resolution runs as a loop of activities there. */
  hostQueue?: string,
): Promise<ResolveConflictResult> {
  const ws = await workspaces.prepare(input.beadId, input.workspace);
  try {
    return await resolveIn(ws, input, provider, workspaces, ctx, hostQueue);
  } finally {
    ws.release();
  }
}

async function resolveIn(
  ws: PreparedTurn,
  input: ResolveConflictInput,
  provider: AgentProvider,
  workspaces: Workspaces,
  ctx: TurnContext,
  hostQueue: string | undefined,
): Promise<ResolveConflictResult> {
  const { dir } = ws;
  const key = resolutionNodeKey(input.node);
  const id: TurnIdentity = { beadId: input.beadId, title: input.bead.title, node: key, turn: `${key}#${input.round}` };
  const head = input.workspace.head;
  const targetSha = await fetchTarget(ws.clone, input.targetBranch);
  const merge = await tryGit(dir, ['-c', 'merge.conflictStyle=merge', 'merge', '--no-ff', '--no-commit', targetSha]);
  const files = merge.code === 0 ? [] : await unmergedFiles(dir);
  if (merge.code !== 0 && files.length === 0)
    throw new Error(
      `cannot merge ${input.targetBranch} into the bead's work: ${(merge.stderr || merge.stdout).trim().split('\n').slice(-2).join(' / ')}`,
    );
  const result = (resolved: boolean, summary: string, agent: string, at = head): ResolveConflictResult => ({
    resolved,
    head: at,
    summary,
    agent,
    files,
  });
  if (files.length === 0) {
    // The target moved on since the commit saw the conflict and now merges cleanly: no agent needed.
    const done = await conclude(ws, workspaces, id);
    return result(true, `${input.targetBranch} merged into the bead's work without conflicts`, 'git', done);
  }
  const { hunks, omitted } = readConflictHunks(dir, files, 'bead');
  const instructions = conflictInstructions({
    beadId: input.beadId,
    title: input.bead.title,
    targetBranch: input.targetBranch,
    targetSha,
    files,
    hunks,
    omitted,
    round: input.round,
    maxRounds: input.maxRounds,
  });
  const turnInput = {
    beadId: input.beadId,
    bead: input.bead,
    node: { key, type: 'conflict', role: input.role, instructions },
    attempt: input.round,
    dispatch: 1,
    dispatchIndex: input.round - 1,
    historySummary: [],
    context: [],
    ...(input.scenario ? { scenario: input.scenario } : {}),
    worktree: dir,
  };
  if (isLoopPlanner(provider) && input.canLoop && hostQueue) {
    // The worktree stays mid-merge for the loop's tool calls on this host; its finishTurn concludes the merge.
    const plan = await provider.planLoop(turnInput, {
      queue: hostQueue,
      worktree: dir,
      finish: {
        ...input.workspace,
        title: id.title,
        node: id.node,
        turn: id.turn,
        merge: { files, targetBranch: input.targetBranch, targetSha },
      },
    });
    return { ...result(false, '', plan.agent), loop: plan };
  }
  const answer = await provider.runTurn(turnInput, ctx);
  const agent = answer?.agent || provider.name;
  const failed = (why: string) => result(false, `resolution ${input.round} of ${files.join(', ')} failed: ${why}`, agent);
  if (answer?.outcome !== 'success') return failed(`the agent answered ${String(answer?.outcome)}: ${answer?.summary ?? ''}`.trim());
  const concluded = await concludeResolution(ws, workspaces, id, files);
  if (concluded.unresolved) return failed(concluded.unresolved);
  return result(
    true,
    `resolved the conflict in ${files.join(', ')} with ${input.targetBranch} at ${targetSha.slice(0, 10)}`,
    agent,
    concluded.head,
  );
}

/**
 * After the agent's turn: concludes and pushes the merge if no marker remains in `files` and no
 * path is unmerged, else says why not (the bead's work stays at the recorded commit).
 */
export async function concludeResolution(
  ws: Pick<PreparedTurn, 'dir' | 'workspace'>,
  workspaces: Workspaces,
  id: TurnIdentity,
  files: string[],
): Promise<FinishTurnResult> {
  const unresolved = (why: string) => ({ head: ws.workspace.head, unresolved: why });
  const marked = filesWithMarkers(ws.dir, files);
  if (marked.length) return unresolved(`conflict markers remain in ${marked.join(', ')}`);
  await runGit(ws.dir, ['add', '--all']);
  const unmerged = await unmergedFiles(ws.dir);
  if (unmerged.length) return unresolved(`still unmerged: ${unmerged.join(', ')}`);
  if ((await tryGit(ws.dir, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code !== 0) {
    // A retried finish whose first attempt committed the merge: push (or adopt) that commit.
    const head = (await runGit(ws.dir, ['rev-parse', 'HEAD'])).trim();
    if (head !== ws.workspace.head) return { head: (await workspaces.publish(ws, id, head)).head };
    return unresolved("the worktree is no longer mid-merge (the target's tip would not be a parent)");
  }
  return { head: await conclude(ws, workspaces, id) };
}

/** Commits the merge (even when the tree equals the bead's: the target must become a parent) and pushes it. */
async function conclude(ws: Pick<PreparedTurn, 'dir' | 'workspace'>, workspaces: Workspaces, id: TurnIdentity): Promise<string> {
  await runGit(ws.dir, ['add', '--all']);
  await runGit(ws.dir, ['commit', '--quiet', '--no-verify', '--allow-empty', '-m', Workspaces.message(id, 'merge')]);
  const sha = (await runGit(ws.dir, ['rev-parse', 'HEAD'])).trim();
  return (await workspaces.publish(ws, id, sha)).head;
}
