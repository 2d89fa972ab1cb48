/**
 * `on_conflict: resolve` with real git and a real Temporal server: two beads change the same lines
 * of one file, the second's commit conflicts, a command agent of the integration role resolves it
 * (or fails to, max_resolutions times), and the commit is retried under a fresh lock grant.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import type { AgentProvider, TurnContext } from '../../src/activities/agents/provider';
import { lockWorkflowId, resolveUpstream } from '../../src/activities/git/repo';
import type { BeadHandle } from '../../src/client/start';
import { loadDefinitionText } from '../../src/dsl/load';
import type { ResolvedDefinition } from '../../src/dsl/types';
import type { AgentTurnInput } from '../../src/shared/agent';
import type { BeadState } from '../../src/workflows/messages';
import { CommitHarness } from '../fixtures/commit-harness';
import { merges, numberedLines, showFile, subjects } from '../fixtures/git-repos';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, waitFor } from '../helpers/temporal';

const state = (h: BeadHandle) => h.query<BeadState>('state');

/** Keeps both sides: deletes the marker lines. */
const RESOLVE = `#!/bin/sh
cat > "$PROMPTS/$BEAD_ID-$ATTEMPT.txt"
sed -i -e '/^<<<<<<< /d' -e '/^=======$/d' -e '/^>>>>>>> /d' shared.txt
echo '{"outcome":"success","summary":"kept both sides"}'
`;
/** Says it succeeded and leaves the markers: a failed resolution. */
const GIVE_UP = `#!/bin/sh
cat > "$PROMPTS/$BEAD_ID-$ATTEMPT.txt"
echo '{"outcome":"success","summary":"looked at it"}'
`;

function landing(maxResolutions: number, extra = ''): ResolvedDefinition {
  const yaml = `id: edit-then-land
nodes:
  - { node_key: edit, node_type: task, role_required: QA Engineer, max_attempts: 1 }
  - { node_key: commit, node_type: commit, max_attempts: 1, on_conflict: resolve, max_resolutions: ${maxResolutions}${extra} }
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

/** File edits by the harness's agent; conflict turns by the command agent, noting who held the lock meanwhile. */
class Router implements AgentProvider {
  readonly name = 'router';
  readonly resolutions: AgentTurnInput[] = [];
  readonly holders: Array<string | undefined> = [];
  constructor(
    private readonly edits: AgentProvider,
    private readonly resolver: AgentProvider,
    private readonly holder: () => Promise<string | undefined>,
  ) {}

  async runTurn(input: AgentTurnInput, ctx: TurnContext) {
    if (input.node.type !== 'conflict') return this.edits.runTurn(input, ctx);
    this.resolutions.push(input);
    this.holders.push(await this.holder());
    return this.resolver.runTurn(input, ctx);
  }
}

describe('commit conflicts resolved by the integration role', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  /** Two beads paint line 5 after both branched from the same main; returns them with the router. */
  async function twoPainters(script: string, maxResolutions: number, extra = '') {
    let editing = 0;
    let open = () => undefined as void;
    const bothEditing = new Promise<void>((resolve) => (open = resolve));
    const h = new CommitHarness(env, { 'shared.txt': numberedLines(10) }, async () => {
      if (++editing === 2) open();
      await bothEditing;
    });
    const prompts = path.join(h.repos.dir, 'prompts');
    mkdirSync(prompts);
    const agentPath = path.join(h.repos.dir, 'resolve.sh');
    writeFileSync(agentPath, script, { mode: 0o755 });
    const lockId = lockWorkflowId(await resolveUpstream(h.repos.remote));
    const resolver = new CommandAgent({ command: agentPath, personas: loadPersonas(), env: { ...process.env, PROMPTS: prompts } });
    const router = new Router(h.agent, resolver, async () => (await h.lockState(lockId)).holder?.beadId);
    const workers = await h.workers({ roles: ['QA Engineer', 'Software Engineer'], provider: router });
    const def = landing(maxResolutions, extra);
    const start = (colour: string) =>
      h.start([{ file: 'shared.txt', line: 5, text: `line 5 is ${colour}` }], { bead: { title: `paint line 5 ${colour}` }, def });
    return { h, router, workers, start, prompts, lockId };
  }

  test('the second commit conflicts, one resolution turn keeps both changes, and both land', async () => {
    const { h, router, workers, start, prompts } = await twoPainters(RESOLVE, 2);
    const [red, blue] = await workers.runUntil(async () => {
      const handles = await Promise.all(['red', 'blue'].map(start));
      const results = await Promise.all(handles.map((x) => x.result()));
      assert.deepEqual(
        results.map((r) => r.status),
        ['completed', 'completed'],
      );
      const loser = router.resolutions[0]?.beadId;
      if (loser) await saveHistory(env, loser, 'commit-conflict-resolved');
      return Promise.all(handles.map(state));
    });
    assert.equal(router.resolutions.length, 1, 'one resolution turn');
    const loser = [red, blue].find((s) => s.beadId === router.resolutions[0].beadId)!;
    const winner = loser === red ? blue : red;
    assert.notEqual(router.holders[0], loser.beadId, 'the lock is not held by the bead during its resolution turn');
    // Both changes are on the remote, one squashed commit per bead, no markers, no merge commits on main.
    const lines = showFile(h.repos.remote, 'shared.txt').split('\n');
    assert.ok(lines.includes('line 5 is red') && lines.includes('line 5 is blue'), lines.join('\n'));
    assert.ok(!lines.some((l) => /^(<{7}|={7}|>{7})/.test(l)));
    assert.deepEqual(subjects(h.repos.remote), [loser.title, winner.title, 'initial']);
    assert.deepEqual(merges(h.repos.remote), []);
    const commit = loser.history.find((e) => e.kind === 'turn' && e.node === 'commit')!;
    assert.match(commit.summary, /^pushed [0-9a-f]{10} to main .*\(after 1 conflict resolution\(s\) by command:/);
    // The prompt: the file, both sides, the bead's title, the rule about markers.
    const [file] = readdirSync(prompts);
    const prompt = readFileSync(path.join(prompts, file), 'utf8');
    for (const needle of ['- shared.txt', `("${loser.title}")`, 'remove every conflict marker line', 'line 5 is red', 'line 5 is blue'])
      assert.ok(prompt.includes(needle), `prompt lacks ${needle}`);
    assert.equal(router.resolutions[0].node.key, 'commit:resolve');
    h.cleanup();
  });

  test('resolutions that leave markers, max_resolutions times: the bead escalates naming the file; nothing of it lands', async () => {
    const { h, router, workers, start, lockId } = await twoPainters(GIVE_UP, 2);
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
      assert.equal(e.node, 'commit');
      assert.match(e.detail, /unresolved conflict in shared\.txt/);
      assert.match(
        e.detail,
        /2 resolution\(s\) failed \(max_resolutions 2\); last: resolution 2 of shared\.txt failed: conflict markers remain in shared\.txt/,
      );
      assert.equal(router.resolutions.length, 2);
      assert.deepEqual(
        router.resolutions.map((r) => r.attempt),
        [1, 2],
      );
      assert.equal((await h.lockState(lockId)).holder, undefined, 'the escalated bead holds no lock');
      assert.deepEqual(subjects(h.repos.remote).length, 2, "only the other bead's commit landed");
      await escalated.handle.terminate('test over');
    });
    h.cleanup();
  });

  test('no worker serves the integration role: each resolution ends at role_wait, then the bead escalates naming the file', async () => {
    const { h, router, workers, start } = await twoPainters(RESOLVE, 1, ', integration_role: DevOps Engineer, role_wait: 1s');
    await workers.runUntil(async () => {
      const handles = await Promise.all(['red', 'blue'].map(start));
      const escalated = await waitFor(
        async () => {
          for (const x of handles) if ((await state(x)).status === 'escalated') return x;
          return undefined;
        },
        { what: 'the conflicting bead to escalate', timeoutMs: 60_000 },
      );
      const e = (await state(escalated)).escalation!;
      assert.equal(e.reason, 'conflict');
      assert.match(e.detail, /unresolved conflict in shared\.txt.*resolution 1 failed: .*(schedule|Schedule)/);
      assert.equal(router.resolutions.length, 0, 'no resolution turn ran');
      await escalated.terminate('test over');
    });
    h.cleanup();
  });
});
