/**
 * `on_conflict: resolve` by a model (llm) agent of the integration role, with real git and a real
 * Temporal server: two beads change the same line, the second's commit conflicts, and the
 * resolution runs as an agentLoop child whose tool calls work in the mid-merge worktree on the
 * host that prepared it. A local OpenAI-compatible server scripts the model's tool calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RoleRoutedProvider } from '../../src/activities/agents/routed';
import type { BeadHandle } from '../../src/client/start';
import { loadDefinitionText } from '../../src/dsl/load';
import type { ResolvedDefinition } from '../../src/dsl/types';
import { roleSlug } from '../../src/shared/roles';
import type { BeadState } from '../../src/workflows/messages';
import { createProvider } from '../../src/workers/providers';
import { CommitHarness } from '../fixtures/commit-harness';
import { merges, numberedLines, showFile, subjects } from '../fixtures/git-repos';
import { ChatServer, toolCall, type PlannedResponse } from '../helpers/chat-server';
import { saveHistory } from '../helpers/histories';
import { childWorkflowIds, startTestEnv, waitFor } from '../helpers/temporal';

const state = (h: BeadHandle) => h.query<BeadState>('state');
const MODEL = 'openai-compatible:scripted-resolver';

/** Both beads' lines kept, markers gone. */
const RESOLVED = numberedLines(10).replace('line 5\n', 'line 5 is red\nline 5 is blue\n');
const RESOLVE_SCRIPT: PlannedResponse[] = [
  toolCall('read_file', { path: 'shared.txt' }),
  toolCall('write_file', { path: 'shared.txt', content: RESOLVED }),
  toolCall('finish', { outcome: 'success', summary: 'kept both lines' }),
];
/** Claims success and leaves the markers (the last reply repeats for every resolution). */
const GIVE_UP_SCRIPT: PlannedResponse[] = [toolCall('finish', { outcome: 'success', summary: 'looked at it' })];

function landing(maxResolutions: number): ResolvedDefinition {
  const yaml = `id: edit-then-land
nodes:
  - { node_key: edit, node_type: task, role_required: QA Engineer, max_attempts: 1 }
  - { node_key: commit, node_type: commit, max_attempts: 1, on_conflict: resolve, max_resolutions: ${maxResolutions} }
edges:
  - { from_node_key: "", to_node_key: edit }
  - { from_node_key: edit, to_node_key: commit }
  - { from_node_key: commit, to_node_key: "" }
  - { from_node_key: commit, to_node_key: "", condition: failure }
`;
  const loaded = loadDefinitionText(yaml, 'edit-then-land.yaml');
  assert.ok(loaded.definition, JSON.stringify(loaded.findings));
  return loaded.definition;
}

describe('commit conflicts resolved by a model agent', () => {
  let env: TestWorkflowEnvironment;
  let chat: ChatServer;
  before(async () => {
    env = await startTestEnv();
    chat = await ChatServer.start();
  });
  after(async () => {
    await chat?.close();
    await env?.teardown();
  });

  /** Two beads paint line 5 after both branched from the same main; the integration role runs the llm agent. */
  async function twoPainters(script: PlannedResponse[], maxResolutions: number) {
    chat.plan(...script);
    let editing = 0;
    let open = () => undefined as void;
    const bothEditing = new Promise<void>((resolve) => (open = resolve));
    const h = new CommitHarness(env, { 'shared.txt': numberedLines(10) }, async () => {
      if (++editing === 2) open();
      await bothEditing;
    });
    const llm = createProvider({ agent: 'llm', model: MODEL, env: { OPENAI_BASE_URL: chat.baseUrl, OPENAI_API_KEY: 'sk-test' } });
    const provider = new RoleRoutedProvider(h.agent, new Map([[roleSlug('Software Engineer'), llm]]));
    const workers = await h.workers({ roles: ['QA Engineer', 'Software Engineer'], provider });
    const def = landing(maxResolutions);
    const start = (colour: string) =>
      h.start([{ file: 'shared.txt', line: 5, text: `line 5 is ${colour}` }], { bead: { title: `paint line 5 ${colour}` }, def });
    return { h, workers, start };
  }

  /** The bead whose commit ran a resolution: the one with agentLoop children. */
  async function withResolutions(handles: BeadHandle[]) {
    for (const x of handles) {
      const children = await childWorkflowIds(env, x.workflowId);
      if (children.length) return { handle: x, children };
    }
    return undefined;
  }

  test('one resolution loop reads the file, writes both changes, finishes; the merge is concluded and both land', async () => {
    const { h, workers, start } = await twoPainters(RESOLVE_SCRIPT, 2);
    try {
      const { loser, children, winner } = await workers.runUntil(async () => {
        const handles = await Promise.all(['red', 'blue'].map(start));
        const results = await Promise.all(handles.map((x) => x.result()));
        assert.deepEqual(
          results.map((r) => r.status),
          ['completed', 'completed'],
          results.map((r) => r.reason).join(' / '),
        );
        const found = await withResolutions(handles);
        assert.ok(found, 'a bead ran a resolution loop');
        await saveHistory(env, found.handle.workflowId, 'commit-conflict-llm-resolved');
        await saveHistory(env, found.children[0], 'commit-conflict-llm-loop');
        const other = handles.find((x) => x !== found.handle)!;
        return { loser: await state(found.handle), children: found.children, winner: await state(other) };
      });
      assert.equal(children.length, 1, `one agentLoop child: ${children.join(', ')}`);
      assert.match(children[0], new RegExp(`^${loser.beadId}/resolve/commit/`));
      assert.equal(chat.requests.length, 3, 'read, write, finish: one model call each');
      const prompt = JSON.stringify(chat.requests[0].body.messages);
      for (const needle of ['shared.txt', 'line 5 is red', 'line 5 is blue', 'remove every conflict marker line'])
        assert.ok(prompt.includes(needle), `the prompt lacks ${needle}`);
      const read = (chat.requests[1].body.messages ?? []).find((m) => m.role === 'tool');
      assert.match(String(read?.content), /^<{7} /m, 'read_file saw the markers of the mid-merge worktree');
      // Both changes on the remote's main, no markers, one squashed commit per bead.
      assert.equal(showFile(h.repos.remote, 'shared.txt'), RESOLVED);
      assert.deepEqual(subjects(h.repos.remote), [loser.title, winner.title, 'initial']);
      assert.deepEqual(merges(h.repos.remote), []);
      const commit = loser.history.find((e) => e.kind === 'turn' && e.node === 'commit')!;
      assert.match(commit.summary, new RegExp(`\\(after 1 conflict resolution\\(s\\) by llm:${MODEL}\\)`));
    } finally {
      h.cleanup();
    }
  });

  test('a model that finishes with the markers left: each resolution fails, then the bead escalates naming the file', async () => {
    const { h, workers, start } = await twoPainters(GIVE_UP_SCRIPT, 2);
    try {
      await workers.runUntil(async () => {
        const handles = await Promise.all(['red', 'blue'].map(start));
        const escalated = await waitFor(
          async () => {
            for (const x of handles) {
              const s = await state(x);
              if (s.status === 'escalated') return { handle: x, s };
            }
            return undefined;
          },
          { what: 'the conflicting bead to escalate', timeoutMs: 60_000 },
        );
        const other = handles.find((x) => x !== escalated.handle)!;
        assert.equal((await other.result()).status, 'completed');
        const e = escalated.s.escalation!;
        assert.equal(e.reason, 'conflict');
        assert.match(e.detail, /unresolved conflict in shared\.txt/);
        assert.match(
          e.detail,
          /2 resolution\(s\) failed \(max_resolutions 2\); last: resolution 2 of shared\.txt failed: conflict markers remain in shared\.txt/,
        );
        const children = await childWorkflowIds(env, escalated.handle.workflowId);
        assert.equal(children.length, 2, `one agentLoop child per resolution: ${children.join(', ')}`);
        assert.equal(chat.requests.length, 2, 'one model call (finish) per resolution');
        assert.equal(subjects(h.repos.remote).length, 2, "only the other bead's commit landed");
        await escalated.handle.terminate('test over');
      });
    } finally {
      h.cleanup();
    }
  });
});
