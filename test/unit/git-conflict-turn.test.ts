/**
 * The conflict path through the real git activities, without Temporal: the commit reports the
 * conflict with both sides; a resolution that keeps both sides lets the retried commit land; one
 * that leaves markers, or an agent that fails, is a failed resolution and pushes nothing. A model
 * agent's resolution is handed to its loop mid-merge; the host's finishTurn concludes it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentProvider } from '../../src/activities/agents/provider';
import { resolveConflict } from '../../src/activities/conflict-turn';
import { commitWork } from '../../src/activities/git/commit';
import { createHostActivities } from '../../src/activities/llm/host';
import type { ModelCatalog } from '../../src/activities/llm/models';
import { DEFAULT_AGENT_LIMITS, type AgentLoopPlan } from '../../src/shared/agent-loop';
import { Workspaces } from '../../src/activities/git/turn-workspace';
import type { Workspace } from '../../src/activities/git/types';
import { prepareWorkspace } from '../../src/activities/git/workspace';
import type { ResolveConflictInput } from '../../src/activities/types';
import type { AgentTurnInput } from '../../src/shared/agent';
import { git, makeRemote, numberedLines, showFile, type TestRepos } from '../fixtures/git-repos';
import { commitDeps, commitInput, editLine, runTurn, turnWorkspace } from '../fixtures/git-turns';

let repos: TestRepos;
let root: string;
before(() => {
  repos = makeRemote({ 'shared.txt': numberedLines(10) }, 'beadflow-unit-conflict-');
  root = path.join(repos.dir, 'host');
});
after(() => repos?.cleanup());

const ctx = { signal: new AbortController().signal, heartbeat: () => undefined, log: () => undefined };

/** An agent that runs `work` in the worktree and answers `outcome`. */
function agent(work: (dir: string) => void, outcome: 'success' | 'failure' = 'success'): AgentProvider & { seen: AgentTurnInput[] } {
  const seen: AgentTurnInput[] = [];
  return {
    name: 'test-resolver',
    seen,
    async runTurn(input) {
      seen.push(input);
      work(input.worktree!);
      return { outcome, summary: 'done', agent: 'test-resolver' };
    },
  };
}

const keepBoth = (dir: string) => {
  const file = path.join(dir, 'shared.txt');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/^(<{7}|={7}|>{7}).*\n/gm, ''));
};

/** Two beads paint line 5 from the same main; the first lands; returns the second's workspace. */
async function conflicted(id: string): Promise<Workspace> {
  const first = await prepareWorkspace({ beadId: `${id}-a`, repo: repos.remote }, root);
  const second = await prepareWorkspace({ beadId: `${id}-b`, repo: repos.remote }, root);
  await runTurn(root, first, `${id}-a`, (dir) => editLine(dir, 'shared.txt', 5, `line 5 is red ${id}`));
  await runTurn(root, second, `${id}-b`, (dir) => editLine(dir, 'shared.txt', 5, `line 5 is blue ${id}`));
  assert.equal((await commitWork(commitInput(first, `${id}-a`), commitDeps(root))).outcome, 'success');
  return second;
}

function input(ws: Workspace, beadId: string, round = 1): ResolveConflictInput {
  const bead = { title: `paint ${beadId}`, description: '', type: 'test', priority: 'P2', labels: [] };
  return {
    beadId,
    bead,
    node: 'commit',
    role: 'Software Engineer',
    round,
    maxRounds: 2,
    workspace: turnWorkspace(ws),
    targetBranch: 'main',
  };
}

test('the commit reports the conflict: files, the target tip, both sides by name', async () => {
  const ws = await conflicted('report');
  const result = await commitWork(commitInput(ws, 'report-b'), commitDeps(root));
  assert.equal(result.outcome, 'failure');
  assert.deepEqual(result.conflict?.files, ['shared.txt']);
  assert.equal(result.conflict?.targetSha, git(repos.remote, 'rev-parse', 'main').trim());
  assert.deepEqual(
    result.conflict?.hunks.map((h) => [h.file, h.bead, h.target]),
    [['shared.txt', 'line 5 is blue report', 'line 5 is red report']],
  );
});

test('a resolution that keeps both sides is pushed as a merge; the retried commit lands both', async () => {
  const ws = await conflicted('ok');
  const resolver = agent(keepBoth);
  const turn = await resolveConflict(input(ws, 'ok-b'), resolver, new Workspaces(root), ctx);
  assert.equal(turn.resolved, true, turn.summary);
  assert.deepEqual(turn.files, ['shared.txt']);
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), turn.head, "pushed to the bead's ref");
  assert.equal(resolver.seen[0].node.key, 'commit:resolve');
  assert.match(resolver.seen[0].node.instructions, /line 5 is blue ok[\s\S]*line 5 is red ok/);
  const landed = await commitWork(commitInput({ ...ws, head: turn.head }, 'ok-b'), commitDeps(root));
  assert.equal(landed.outcome, 'success', landed.summary);
  const lines = showFile(repos.remote, 'shared.txt').split('\n');
  assert.ok(lines.includes('line 5 is red ok') && lines.includes('line 5 is blue ok'));
});

test('markers left, or an agent that fails: a failed resolution, nothing pushed', async () => {
  const ws = await conflicted('bad');
  const before = git(repos.remote, 'rev-parse', ws.ref!).trim();
  const lazy = await resolveConflict(
    input(ws, 'bad-b'),
    agent(() => undefined),
    new Workspaces(root),
    ctx,
  );
  assert.equal(lazy.resolved, false);
  assert.match(lazy.summary, /^resolution 1 of shared\.txt failed: conflict markers remain in shared\.txt$/);
  const failing = await resolveConflict(input(ws, 'bad-b', 2), agent(keepBoth, 'failure'), new Workspaces(root), ctx);
  assert.equal(failing.resolved, false);
  assert.match(failing.summary, /failed: the agent answered failure: done$/);
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), before, "the bead's ref is untouched");
  assert.equal(lazy.head, ws.head);
});

/** Plans a loop as LlmAgent does (only the fields the host reads matter here). */
const planner: AgentProvider & {
  planLoop: (input: AgentTurnInput, host: { queue: string; worktree?: string; finish?: AgentLoopPlan['finish'] }) => Promise<AgentLoopPlan>;
} = {
  name: 'loop-planner',
  runTurn: () => Promise.reject(new Error('a loop planner does not run turns')),
  async planLoop(turn, host) {
    return {
      hostQueue: host.queue,
      model: 'test:model',
      system: '',
      prompt: turn.node.instructions,
      tools: [],
      limits: DEFAULT_AGENT_LIMITS,
      worktree: host.worktree,
      finish: host.finish,
      agent: 'loop-planner:test:model',
    };
  },
};

test("a model agent's resolution: planned mid-merge; finishTurn refuses markers, then concludes the merge and the retry lands", async () => {
  const ws = await conflicted('loop');
  const before = git(repos.remote, 'rev-parse', ws.ref!).trim();
  const targetSha = git(repos.remote, 'rev-parse', 'main').trim();
  const turn = await resolveConflict({ ...input(ws, 'loop-b'), canLoop: true }, planner, new Workspaces(root), ctx, 'host-q');
  assert.equal(turn.resolved, false);
  assert.deepEqual(turn.files, ['shared.txt']);
  const plan = turn.loop!;
  assert.equal(plan.hostQueue, 'host-q');
  assert.deepEqual(plan.finish?.merge, { files: ['shared.txt'], targetBranch: 'main', targetSha });
  assert.equal(plan.finish?.turn, 'commit:resolve#1');
  assert.match(readFileSync(path.join(plan.worktree!, 'shared.txt'), 'utf8'), /^<{7} /m, 'the worktree stays mid-merge');

  const host = createHostActivities({ models: {} as ModelCatalog, worktreesRoot: root });
  const finishing = { beadId: 'loop-b', worktree: plan.worktree!, finish: plan.finish! };
  assert.deepEqual(await host.finishTurn(finishing), { head: ws.head, unresolved: 'conflict markers remain in shared.txt' });
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), before, "the bead's ref is untouched");

  keepBoth(plan.worktree!);
  const done = await host.finishTurn(finishing);
  assert.equal(done.unresolved, undefined);
  assert.equal(git(repos.remote, 'rev-parse', ws.ref!).trim(), done.head, "the merge is pushed to the bead's ref");
  assert.deepEqual(git(repos.remote, 'log', '-1', '--format=%P', done.head).trim().split(' '), [ws.head, targetSha]);
  const landed = await commitWork(commitInput({ ...ws, head: done.head }, 'loop-b'), commitDeps(root));
  assert.equal(landed.outcome, 'success', landed.summary);
});
