/**
 * The command agent inside real beads: a malformed answer fails one turn (no Temporal retries)
 * without crashing the worker or wedging the bead; a node timeout cancels a running agent and
 * kills its whole process group; verify nodes run their command whatever the agent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import { definition, node } from '../fixtures/definitions';
import { BeadHarness, moves, state } from '../helpers/beads';
import { liveGroupMembers, script, tempDir } from '../helpers/agents';
import { startTestEnv, waitFor } from '../helpers/temporal';

const personas = loadPersonas();

describe('agents: command agent in beads', () => {
  let env: TestWorkflowEnvironment;
  let tmp: ReturnType<typeof tempDir>;
  before(async () => {
    env = await startTestEnv();
    tmp = tempDir();
  });
  after(async () => {
    await env?.teardown();
    tmp?.remove();
  });

  test('a malformed answer fails that turn once, the worker lives on and the bead takes its failure route', async () => {
    const agentPath = script(
      tmp.dir,
      'malformed.sh',
      'if [ "$NODE_KEY" = investigate ]; then echo \'{"outcome": "sure thing"\'; else echo \'{"outcome":"success","summary":"triaged"}\'; fi',
    );
    const def = definition(
      [node('investigate', 'task', { maxAttempts: 1 }), node('triage', 'task')],
      [
        ['', 'investigate', 'success'],
        ['investigate', '', 'success'],
        ['investigate', 'triage', 'failure'],
        ['triage', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    const workers = await h.workers({ provider: new CommandAgent({ command: agentPath, personas }) });
    await workers.runUntil(async () => {
      const handle = await h.start(def);
      assert.equal((await handle.result()).status, 'completed');
      const s = await state(handle);
      assert.deepEqual(moves(s), ['^>investigate:success', 'investigate>triage:failure', 'triage>$:success']);
      const failed = s.history.find((e) => e.kind === 'turn' && e.node === 'investigate');
      assert.equal(failed?.outcome, 'failure');
      assert.match(failed?.summary ?? '', /command agent returned a malformed result: last stdout line: not JSON/);
      // Non-retryable: one activity attempt, not Temporal's five.
      assert.deepEqual(h.turnsOf(handle.workflowId, 'start'), ['investigate:start', 'triage:start']);
    });
  });

  test('a person deciding first cancels the running reviewer agent: its whole process group is killed', async () => {
    const pidFile = path.join(tmp.dir, 'reviewer.pid');
    const agentPath = script(
      tmp.dir,
      'reviewer.sh',
      `if [ "$NODE_KEY" = pm_review ]; then echo $$ > ${pidFile}; sleep 300 & sh -c 'sleep 300' & wait; fi\necho '{"outcome":"success","summary":"done"}'\n`,
    );
    const def = definition(
      [node('investigate', 'task'), node('pm_review', 'approval', { approval: { approvers: ['Product Manager'], mode: 'any' } })],
      [
        ['', 'investigate', 'success'],
        ['investigate', 'pm_review', 'success'],
        ['pm_review', '', 'approved'],
      ],
    );
    const h = new BeadHarness(env);
    const workers = await h.workers({ provider: new CommandAgent({ command: agentPath, personas, killGraceMs: 1_000 }) });
    await workers.runUntil(async () => {
      const handle = await h.start(def, { options: { heartbeatTimeoutMs: 3_000 } });
      const pid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), {
        what: 'the reviewer agent to start',
      });
      assert.ok(liveGroupMembers(pid).length >= 3, 'the reviewer and its children run');
      await handle.signal('approve', { by: 'Product Manager', reason: 'no need to wait for the agent' });
      assert.equal((await handle.result()).status, 'completed');
      await waitFor(() => h.turns.some((t) => t.beadId === handle.workflowId && t.node === 'pm_review' && t.phase === 'cancelled'), {
        what: 'the reviewer turn to see its cancellation (delivered with a heartbeat)',
        timeoutMs: 15_000,
      });
      await waitFor(() => liveGroupMembers(pid).length === 0, { what: `process group ${pid} to be gone`, timeoutMs: 5_000 });
    });
  });

  test("a node timeout: the bead takes its timeout route and the agent's process group is gone", async () => {
    const pidFile = path.join(tmp.dir, 'slow.pid');
    const agentPath = script(
      tmp.dir,
      'slow.sh',
      `if [ "$NODE_KEY" = investigate ]; then echo $$ > ${pidFile}; sleep 300 & sh -c 'sleep 300' & wait; fi\necho '{"outcome":"success","summary":"done"}'\n`,
    );
    const def = definition(
      [node('investigate', 'task', { timeoutMs: 2_000 }), node('after_timeout', 'task')],
      [
        ['', 'investigate', 'success'],
        ['investigate', '', 'success'],
        ['investigate', 'after_timeout', 'timeout'],
        ['after_timeout', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    const workers = await h.workers({ provider: new CommandAgent({ command: agentPath, personas, killGraceMs: 1_000 }) });
    await workers.runUntil(async () => {
      const handle = await h.start(def);
      const pid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: 'the agent to start' });
      assert.equal((await handle.result()).status, 'completed');
      assert.deepEqual(moves(await state(handle)), [
        '^>investigate:success',
        'investigate>after_timeout:timeout',
        'after_timeout>$:success',
      ]);
      await waitFor(() => liveGroupMembers(pid).length === 0, { what: `process group ${pid} to be gone`, timeoutMs: 5_000 });
    });
  });

  test('a verify node runs its command (rejected, then approved with the feedback seen by the next turn)', async () => {
    const flag = path.join(tmp.dir, 'fixed');
    const checkPath = script(
      tmp.dir,
      'check.sh',
      `if [ -f ${flag} ]; then echo "all 3 tests pass"; else echo "FAIL: expected 90, got 10"; exit 1; fi`,
    );
    const promptFile = path.join(tmp.dir, 'fix-prompt.txt');
    const fixPath = script(tmp.dir, 'fix.sh', `cat > ${promptFile}\ntouch ${flag}\necho '{"outcome":"success","summary":"fixed"}'`);
    const def = definition(
      [node('apply_fix', 'task'), node('verify', 'verify', { verify: { command: [checkPath] }, maxAttempts: 1 })],
      [
        ['', 'verify', 'success'],
        ['verify', 'apply_fix', 'rejected'],
        ['apply_fix', 'verify', 'success'],
        ['verify', '', 'approved'],
      ],
    );
    const h = new BeadHarness(env);
    const workers = await h.workers({ provider: new CommandAgent({ command: fixPath, personas }) });
    await workers.runUntil(async () => {
      const handle = await h.start(def);
      assert.equal((await handle.result()).status, 'completed');
      const s = await state(handle);
      assert.deepEqual(moves(s), ['^>verify:success', 'verify>apply_fix:rejected', 'apply_fix>verify:success', 'verify>$:approved']);
      const verdicts = s.history.filter((e) => e.kind === 'turn' && e.node === 'verify');
      assert.match(verdicts[0].summary, /exited 1 .*; last output:\nFAIL: expected 90, got 10/);
      assert.match(readFileSync(promptFile, 'utf8'), /Feedback from the last rejection[^]*FAIL: expected 90, got 10/);
      assert.match(verdicts[1].summary, /passed/);
      assert.match(s.history.find((e) => e.node === 'verify')?.actor ?? '', /^verify:/);
    });
  });
});
