/** Issue 16: the step-format peer files run to the end on a real Temporal dev server, with scripted agents. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadDefinitionFile, loadDefinitionText } from '../../src/dsl';
import type { ResolvedDefinition } from '../../src/dsl/types';
import { BeadHarness, moves, state } from '../helpers/beads';
import { startTestEnv, waitFor } from '../helpers/temporal';
import type { BeadState } from '../../src/workflows/messages';

const PEERS = path.resolve(__dirname, '../../../shared/peers/multi-agent-machine-client');

function load(name: string): ResolvedDefinition {
  const { definition, findings } = loadDefinitionFile(path.join(PEERS, name));
  assert.ok(definition, `${name} loads: ${JSON.stringify(findings.filter((f) => f.severity === 'error'))}`);
  return definition;
}

/** The commit node's turn (commits run in the commit activity, not as agent turns). */
const commitTurn = (s: BeadState, node: string) => s.history.find((e) => e.kind === 'turn' && e.node === node);

/** Runs the bead to its end, approving any approval node it parks at; returns the final state. */
async function runToEnd(h: BeadHarness, def: ResolvedDefinition, opts: Parameters<BeadHarness['start']>[1] = {}) {
  const handle = await h.start(def, opts);
  const final = await waitFor(
    async () => {
      const s = await state(handle);
      if (s.status === 'waiting_approval') await handle.signal('approve', { by: 'steps-run test', reason: 'approved by the test' });
      return ['completed', 'failed', 'escalated', 'cancelled'].includes(s.status) ? s : undefined;
    },
    { timeoutMs: 60_000, what: `bead ${handle.workflowId} (${def.id}) ends` },
  );
  const result = await handle.result();
  return { handle, final, result };
}

describe('step-format workflows run end to end', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  test('hotfix.yml: assessment → implementation → validation → security-check → deployment', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const { final, result, handle } = await runToEnd(h, load('hotfix.yml'));
      assert.equal(result.status, 'completed');
      assert.deepEqual(moves(final), [
        '^>assessment:success',
        'assessment>implementation:success',
        'implementation>validation:success',
        'validation>security-check:success',
        'security-check>deployment:success',
        'deployment>$:success',
      ]);
      assert.deepEqual(h.turnsOf(handle.workflowId), [
        'assessment:success',
        'implementation:success',
        'validation:success',
        'security-check:success',
      ]);
      assert.equal(commitTurn(final, 'deployment')?.outcome, 'success');
    });
  });

  test('feature.yml: the governance reviews run as parallel branches and join before documentation', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const { final, result, handle } = await runToEnd(h, load('feature.yml'));
      assert.equal(result.status, 'completed');
      const turns = h.turnsOf(handle.workflowId);
      assert.deepEqual(turns.slice(0, 4), ['requirements:success', 'design:success', 'implementation:success', 'comprehensive-qa:success']);
      // performance-review's condition (task.scope === 'large' || ...) is false for this bead: skipped.
      assert.deepEqual(turns.slice(4, 6).sort(), ['code-review:success', 'security-review:success']);
      assert.deepEqual(turns.slice(6), ['documentation:success']);
      assert.equal(final.history.find((e) => e.node === 'performance-review' && e.kind === 'note')?.outcome, 'skipped');
      assert.equal(commitTurn(final, 'finalization')?.outcome, 'success');
      const join = final.history.find((e) => e.kind === 'join');
      assert.equal(join?.node, 'governance-reviews-done');
      assert.equal(join?.outcome, 'success');
      assert.ok(moves(final).includes('governance-reviews-done>documentation:success'), moves(final).join(' '));
      assert.equal(moves(final).at(-1), 'finalization>$:success');
    });
  });

  test('project-loop.yml: planning through governance to completion', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const { final, result, handle } = await runToEnd(h, load('project-loop.yml'));
      assert.equal(result.status, 'completed');
      const turns = h.turnsOf(handle.workflowId);
      assert.deepEqual(turns.slice(0, 4), ['planning:success', 'plan-evaluation:success', 'implementation:success', 'qa:success']);
      assert.deepEqual(turns.slice(4, 6).sort(), ['code-review:success', 'security-review:success']);
      assert.deepEqual(turns.slice(6), []);
      assert.equal(commitTurn(final, 'completion')?.outcome, 'success');
      assert.equal(final.history.find((e) => e.kind === 'join')?.node, 'governance-done');
      assert.equal(moves(final).at(-1), 'completion>$:success');
    });
  });

  test('feature.yml: a bead labelled scope:large runs the performance review the condition skips for others', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const { result, handle } = await runToEnd(h, load('feature.yml'), { bead: { labels: ['scope:large'] } });
      assert.equal(result.status, 'completed');
      assert.ok(h.turnsOf(handle.workflowId).includes('performance-review:success'));
    });
  });

  test("a step whose condition reads an earlier step's result runs in one bead and is skipped in another", async () => {
    const text = [
      'name: fix-if-failing',
      'steps:',
      '  - { id: check, type: persona-request, persona: qa-engineer, retries: 0 }',
      '  - { id: fix, type: persona-request, persona: lead-engineer, dependencies: [check], condition: "check.status == \'failure\'" }',
      '  - { id: report, type: persona-request, persona: documentation-writer, dependencies: [fix] }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'fix-if-failing.yml');
    assert.ok(definition, JSON.stringify(findings));
    // The step format has no failure edges: give the check one into the fix, so a failing check reaches it.
    definition.edges.push({ from: 'check', to: 'fix', condition: 'failure', priority: 0 });
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const passing = await runToEnd(h, definition, { scenario: { check: ['success'] } });
      assert.equal(passing.result.status, 'completed');
      assert.deepEqual(h.turnsOf(passing.handle.workflowId), ['check:success', 'report:success']);
      assert.ok(moves(passing.final).includes('fix>report:success'));
      const failing = await runToEnd(h, definition, { scenario: { check: ['failure'] } });
      assert.equal(failing.result.status, 'completed');
      assert.deepEqual(h.turnsOf(failing.handle.workflowId), ['check:failure', 'fix:success', 'report:success']);
    });
  });
});
