/**
 * Worker shutdown: `npm run worker` stops on SIGINT letting a running turn finish and exits 0;
 * a turn that outlives the shutdown grace time is cancelled (its processes killed) and handed
 * back to the next worker.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import { definition, node } from '../fixtures/definitions';
import { liveGroupMembers, script, tempDir } from '../helpers/agents';
import { BeadHarness, state } from '../helpers/beads';
import { startTestEnv, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const oneTask = definition(
  [node('investigate', 'task')],
  [
    ['', 'investigate', 'success'],
    ['investigate', '', 'success'],
  ],
);

describe('agents: worker shutdown', () => {
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

  test('npm run worker: SIGINT lets the running turn finish, then the process exits 0', async () => {
    const runs = path.join(tmp.dir, 'runs.log');
    const finished = path.join(tmp.dir, 'finished');
    const agentPath = script(
      tmp.dir,
      'steady.sh',
      `echo run >> ${runs}\nsleep 3\ntouch ${finished}\necho '{"outcome":"success","summary":"finished after the signal"}'\n`,
    );
    const h = new BeadHarness(env);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
    delete childEnv.NODE_TEST_CONTEXT;
    const args = [
      '--import',
      'tsx',
      'src/workers/main.ts',
      '--agent',
      'command',
      '--agent-command',
      agentPath,
      '--task-queue',
      h.taskQueue,
      '--role-queue-prefix',
      h.roleQueuePrefix,
      '--shutdown-grace',
      '20s',
      '--no-ledger',
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('beadflow worker: agent command'), {
        what: `the worker to start; output so far:\n${out}`,
        timeoutMs: 60_000,
      });
      const handle = await h.start(oneTask);
      await waitFor(() => existsSync(runs), { what: 'the turn to start', timeoutMs: 20_000 });
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
      assert.equal(code, 0, `worker exit code; output:\n${out}`);
      assert.ok(existsSync(finished), 'the running turn finished during the grace time');
      assert.match(out, /SIGINT: stopping; running turns have 20s to finish/);
      assert.match(out, /beadflow worker: stopped/);

      // The finished turn's result was recorded; another worker takes the bead from there.
      const workers = await h.workers();
      const s = await workers.runUntil(async () => {
        assert.equal((await handle.result()).status, 'completed');
        return state(handle); // queries need a workflow worker: ask before this one stops
      });
      assert.equal(s.history.find((e) => e.kind === 'turn' && e.node === 'investigate')?.summary, 'finished after the signal');
      assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'the turn ran once');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('a turn that outlives the grace time is cancelled, its processes killed, and handed back', async () => {
    const runs = path.join(tmp.dir, 'handback-runs.log');
    const pidFile = path.join(tmp.dir, 'handback.pid');
    // First run: hang (until killed). Later runs: succeed at once.
    const agentPath = script(
      tmp.dir,
      'handback.sh',
      `if [ -f ${runs} ]; then echo again >> ${runs}; echo '{"outcome":"success","summary":"second worker"}'; exit 0; fi\necho first >> ${runs}\necho $$ > ${pidFile}\nsleep 300 & wait\n`,
    );
    const personas = loadPersonas();
    const h = new BeadHarness(env);
    const first = await h.workers({ provider: new CommandAgent({ command: agentPath, personas, killGraceMs: 500 }) });
    const handle = await first
      .runUntil(async () => {
        const started = await h.start(oneTask, { options: { heartbeatTimeoutMs: 3_000 } });
        await waitFor(() => existsSync(pidFile), { what: 'the first turn to start' });
        return started;
      })
      .catch((err: unknown) => assert.fail(`the first worker did not stop cleanly: ${String(err)}`));
    // runUntil shut the workers down: the turn had 0 ms of grace (WorkerSet default), so it was cancelled.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => liveGroupMembers(pid).length === 0, { what: `the first turn's process group ${pid} to be gone` });
    assert.ok(
      h.turns.some((t) => t.beadId === handle.workflowId && t.phase === 'cancelled'),
      'the turn saw the cancellation',
    );

    const second = await h.workers({ provider: new CommandAgent({ command: agentPath, personas }) });
    const s = await second.runUntil(async () => {
      assert.equal((await handle.result()).status, 'completed');
      return state(handle);
    });
    assert.equal(readFileSync(runs, 'utf8'), 'first\nagain\n');
    assert.equal(s.history.find((e) => e.kind === 'turn' && e.node === 'investigate')?.summary, 'second worker');
  });
});
