/**
 * `npm run chaos [-- --beads 30 --worker-kills 6 --server-kills 1]`: the fault suite. Beads edit
 * one repository and commit through its lock while the worker (workflows, agent turns, commits) is killed with -9 at random
 * (and restarted), and the Temporal server is killed with -9 and restarted on its database. Then
 * it counts what a user would care about: beads lost, changes doubled, agents left running,
 * dirty worktrees, beads stuck. Exits 1 unless every count is 0.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { startBeadRun } from '../src/client/start';
import type { ResolvedDefinition } from '../src/dsl/types';
import { DEFAULTS } from '../src/dsl/types';
import { freePort } from '../src/system/port';
import { startDevServer, type DevServerHandle } from '../src/temporal/dev-server';

const ROOT = path.resolve(__dirname, '..');
const GIT = ['-c', 'user.name=chaos', '-c', 'user.email=chaos@localhost', '-c', 'init.defaultBranch=main'];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...GIT, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stderr.write(`chaos: ${line}\n`);

function editThenCommit(): ResolvedDefinition {
  const node = (key: string, type: 'task' | 'commit') => ({
    key,
    type,
    role: type === 'commit' ? 'Engineering Manager' : 'Software Engineer',
    instructions: key,
    maxAttempts: 5,
    timeoutMs: 0,
    retry: { initialMs: 200, coefficient: 2, maxMs: 5_000 },
    maxCycles: DEFAULTS.maxCycles,
    maxDispatches: 10,
    metadata: {},
    ...(type === 'commit' ? { leaseMs: 60_000 } : {}),
  });
  return {
    id: 'chaos',
    name: 'chaos',
    description: 'edit, then commit',
    workflowType: 'chaos',
    isDefault: false,
    nodes: [node('edit', 'task'), node('commit', 'commit')],
    edges: [
      { from: '', to: 'edit', condition: 'success', priority: 100 },
      { from: 'edit', to: 'commit', condition: 'success', priority: 100 },
      { from: 'commit', to: '', condition: 'success', priority: 100 },
    ],
    maxHops: 100,
    escalation: { childBead: false },
  };
}

class AgentWorker {
  child?: ChildProcess;
  private out = '';
  constructor(
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async start(): Promise<void> {
    this.out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts', ...this.args], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
    this.child = child;
    const until = Date.now() + 60_000;
    while (!this.out.includes('beadflow worker: agent') && child.exitCode === null && Date.now() < until) await pause(100);
    if (child.exitCode !== null || Date.now() >= until) throw new Error(`the agent worker did not start:\n${this.out.slice(-2000)}`);
  }

  /** True once a turn ran since the last start. */
  busy(): boolean {
    return this.out.includes('agent turn started');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}

async function main(): Promise<void> {
  const o = new Command('chaos')
    .option('--beads <n>', 'beads', '30')
    .option('--worker-kills <n>', 'kill -9 of the agent worker', '6')
    .option('--server-kills <n>', 'kill -9 of the Temporal server', '1')
    .parse(process.argv)
    .opts<{ beads: string; workerKills: string; serverKills: string }>();
  const beads = Number(o.beads);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-chaos-'));
  const remote = path.join(dir, 'remote.git');
  const seed = path.join(dir, 'seed');
  git(dir, 'init', '--quiet', '--bare', remote);
  git(dir, 'init', '--quiet', seed);
  writeFileSync(path.join(seed, 'README.md'), 'chaos\n');
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'initial');
  git(seed, 'push', '--quiet', remote, 'HEAD:refs/heads/main');
  const agent = path.join(dir, 'append-agent.sh');
  writeFileSync(
    agent,
    '#!/bin/sh\ncat > /dev/null\nmkdir -p beads\necho "change of $BEAD_ID" >> "beads/$BEAD_ID.txt"\nsleep 1\necho \'{"outcome":"success","summary":"appended"}\'\n',
  );
  chmodSync(agent, 0o755);
  const worktrees = path.join(dir, 'agent-worktrees');
  mkdirSync(worktrees);

  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.db');
  const serve = () => startDevServer({ port, ip: '127.0.0.1', ui: false, dbFile, log: () => undefined });
  let server: DevServerHandle = await serve();
  const address = server.address;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taskQueue = `chaos-${process.pid}`;
  const roleQueuePrefix = `chaos-${process.pid}-role-`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    BEADFLOW_WORKTREES: worktrees,
  };
  delete env.NODE_TEST_CONTEXT;
  const worker = new AgentWorker(
    // One worker runs everything (workflows, agent turns, commits and the lock), so a kill also hits lock holders mid-commit.
    ['--agent', 'command', '--agent-command', agent, '--no-ledger', '--task-queue', taskQueue, '--role-queue-prefix', roleQueuePrefix],
    env,
  );
  const started = Date.now();
  let workerKills = 0;
  let serverKills = 0;
  const recoveries: number[] = [];
  try {
    await worker.start();
    const ids = Array.from({ length: beads }, (_, i) => `chaos-${process.pid}-${i}`);
    for (const id of ids) {
      await startBeadRun(
        client,
        {
          bead: { id, title: `chaos ${id}`, type: 'chaos', description: '', priority: 'P2', labels: [], repo: remote },
          definition: editThenCommit(),
          options: { roleQueuePrefix, heartbeatTimeoutMs: 2_000, turnRetryAttempts: 10 },
        },
        taskQueue,
      );
    }
    say(`${beads} beads started on ${address}`);
    const status = new Map<string, string>();
    const poll = async () => {
      for (const id of ids) {
        if (status.get(id) && status.get(id) !== 'RUNNING') continue;
        const d = await client.workflow
          .getHandle(id)
          .describe()
          .catch(() => undefined);
        if (d) status.set(id, d.status.name);
      }
      return ids.filter((id) => status.get(id) === 'COMPLETED').length;
    };
    const deadline = Date.now() + 10 * 60_000;
    let done = 0;
    while (done < beads && Date.now() < deadline) {
      if (workerKills < Number(o.workerKills) && worker.busy()) {
        await pause(300 + Math.random() * 1_500);
        await worker.kill();
        workerKills += 1;
        say(`worker kill -9 #${workerKills}`);
        await worker.start();
      } else if (serverKills < Number(o.serverKills) && done >= beads / 3) {
        const before = done;
        const killedAt = Date.now();
        process.kill(server.pid, 'SIGKILL');
        await server.exited;
        serverKills += 1;
        say(`server kill -9 #${serverKills} with ${beads - done} beads in flight`);
        server = await serve();
        while ((await poll().catch(() => before)) <= before && Date.now() < deadline) await pause(250);
        recoveries.push(Date.now() - killedAt);
      }
      done = await poll().catch(() => done);
      await pause(250);
    }
    // What a user would see: the remote, the processes, the worktrees.
    const lost = ids.filter((id) => !safeShow(remote, `beads/${id}.txt`)).length;
    const doubled = ids.filter((id) => (safeShow(remote, `beads/${id}.txt`) ?? '').split('\n').filter(Boolean).length > 1).length;
    await worker.kill();
    await pause(3_000); // the watchdogs' grace
    const orphans = pgrepCount(agent);
    const dirty = dirtyWorktrees(worktrees);
    const stuck = ids.filter((id) => status.get(id) !== 'COMPLETED').length;
    const rows: Array<[string, string]> = [
      ['beads', String(beads)],
      ['completed', String(beads - stuck)],
      ['worker kill -9', String(workerKills)],
      ['server kill -9', String(serverKills)],
      ['recovery after a server kill (s)', recoveries.map((r) => (r / 1000).toFixed(1)).join(', ') || '-'],
      ['longest gap between commits (s)', String(longestGap(remote))],
      ['lost', String(lost)],
      ['doubled', String(doubled)],
      ['orphan agents', String(orphans)],
      ['dirty worktrees', String(dirty)],
      ['stuck', String(stuck)],
      ['wall time (s)', ((Date.now() - started) / 1000).toFixed(1)],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
    if (lost || doubled || orphans || dirty || stuck) process.exitCode = 1;
  } finally {
    await worker.kill();
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function safeShow(remote: string, file: string): string | undefined {
  try {
    return git(remote, 'show', `main:${file}`);
  } catch {
    return undefined;
  }
}

/** The longest time between two consecutive commits on main: how long a dead lock holder stalled the repository at most. */
function longestGap(remote: string): number {
  const times = git(remote, 'log', '--format=%ct', 'main')
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((x, y) => x - y)
    .slice(1);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

function pgrepCount(pattern: string): number {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Worktrees whose files differ from their checked-out commit: an orphan's late writes. */
function dirtyWorktrees(root: string): number {
  let dirty = 0;
  for (const clone of existsSync(root) ? readdirSync(root) : []) {
    const cloneDir = path.join(root, clone);
    for (const wt of readdirSync(cloneDir)) {
      const dirPath = path.join(cloneDir, wt);
      if (!existsSync(path.join(dirPath, '.git'))) continue;
      if (git(dirPath, 'status', '--porcelain').trim()) dirty += 1;
    }
  }
  return dirty;
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
