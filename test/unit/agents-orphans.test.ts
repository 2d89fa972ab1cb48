/**
 * No agent outlives its turn: a worker killed with -9 takes its agent's whole process group with
 * it (watchdog), and the next attempt in the same worktree kills what an earlier one left running.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { agentPidFile, killOrphanAgent, recordAgent } from '../../src/activities/agents/orphans';
import { runProcess } from '../../src/activities/agents/run-process';
import { fakeTurn, tempDir } from '../helpers/agents';
import { waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const tmp = tempDir('beadflow-orphans-');
const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmp.remove();
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An agent that starts a grandchild and waits: both are in its process group. */
const AGENT = ['sh', '-c', 'sleep 300 & echo started; wait'];

describe('agents never outlive their turn', () => {
  test('the worker killed with -9: the agent and everything it started die with it', async () => {
    const worktree = path.join(tmp.dir, 'wt-kill');
    const pidFile = agentPidFile(worktree);
    const worker = path.join(tmp.dir, 'worker.ts');
    writeFileSync(
      worker,
      [
        `import { runProcess } from ${JSON.stringify(path.join(ROOT, 'src/activities/agents/run-process'))};`,
        `const ctx = { signal: new AbortController().signal, heartbeat() {}, log() {} };`,
        `void runProcess({ command: 'sh', args: ${JSON.stringify(AGENT.slice(1))}, cwd: ${JSON.stringify(tmp.dir)}, env: process.env, label: 'agent', pidFile: ${JSON.stringify(pidFile)} }, ctx);`,
        `setInterval(() => undefined, 1000);`,
      ].join('\n'),
    );
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ['--import', 'tsx', worker], { cwd: ROOT, env, stdio: 'ignore' });
    started.push(child);
    const pgid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), {
      what: 'the agent to start',
      timeoutMs: 30_000,
    });
    assert.ok(groupAlive(pgid));
    child.kill('SIGKILL');
    await waitFor(() => !groupAlive(pgid), { what: `process group ${pgid} to die with its worker`, timeoutMs: 15_000 });
  });

  test('the next attempt in the worktree kills the group an earlier attempt left running', async () => {
    const worktree = path.join(tmp.dir, 'wt-retry');
    const pidFile = agentPidFile(worktree);
    const orphan = spawn(AGENT[0], AGENT.slice(1), { detached: true, stdio: 'ignore' });
    started.push(orphan);
    recordAgent(pidFile, orphan.pid!);
    assert.ok(groupAlive(orphan.pid!));
    const logs: string[] = [];
    const turn = fakeTurn();
    const outcome = await runProcess(
      { command: 'sh', args: ['-c', 'echo again'], cwd: tmp.dir, env: process.env, label: 'agent', pidFile },
      { ...turn.ctx, log: (m) => logs.push(m) },
    );
    assert.equal(outcome.lastStdoutLine, 'again');
    assert.equal(groupAlive(orphan.pid!), false, 'the orphan group is gone before the new attempt ran');
    assert.ok(
      logs.some((l) => /earlier attempt left its agent running/.test(l)),
      logs.join('\n'),
    );
    assert.equal(existsSync(pidFile), false, 'the finished attempt removed its record');
  });

  test('nothing recorded, or a group already gone: nothing is killed', async () => {
    assert.equal(await killOrphanAgent(path.join(tmp.dir, 'none.agent.pid')), undefined);
    const gone = spawn('true', [], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    const file = path.join(tmp.dir, 'gone.agent.pid');
    recordAgent(file, gone.pid!);
    assert.equal(await killOrphanAgent(file), undefined);
    assert.equal(existsSync(file), false);
  });
});
