/**
 * The bead's code travels by git: two worker processes as two hosts, each in its own mount
 * namespace with a tmpfs over the other's folder (separate worktrees and HOMEs: neither can see
 * the other's files), roles split as docs/workers.md suggests. A bead through definitions/bug.yaml
 * writes a file on host A and edits it on host B; both changes land in one commit on the remote.
 * Then a worker killed with -9 again and again mid-turn over 30 beads: every change lands once.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCommitActivities } from '../../src/activities/git';
import { noLedgerActivities } from '../../src/activities/ledger';
import { startBeadRun } from '../../src/client/start';
import { loadDefinitionFile } from '../../src/dsl';
import type { ResolvedDefinition } from '../../src/dsl/types';
import type { Bead } from '../../src/shared/bead';
import { WorkerSet } from '../../src/workers/worker-set';
import { definition, node } from '../fixtures/definitions';
import { git, makeRemote, showFile, subjects } from '../fixtures/git-repos';
import { script } from '../helpers/agents';
import { state, waitForState } from '../helpers/beads';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

interface Host {
  name: string;
  dir: string;
  child?: ChildProcess;
  out: string;
  exited?: Promise<void>;
}

/** `npm run worker` inside `unshare -m`, with a tmpfs mounted over the other host's folder. */
async function startHost(host: Host, hide: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    HOME: path.join(host.dir, 'home'),
    BEADFLOW_WORKTREES: path.join(host.dir, 'worktrees'),
    HOST_NAME: host.name,
    OTHER_HOST_DIR: hide,
  };
  delete childEnv.NODE_TEST_CONTEXT;
  const worker = [process.execPath, '--import', 'tsx', 'src/workers/main.ts', '--no-ledger', ...args];
  const child = spawn(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs "$0" && exec "$@"', hide, ...worker],
    {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  host.out = '';
  child.stdout!.on('data', (c: Buffer) => (host.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (host.out += c.toString()));
  host.child = child;
  host.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => host.out.includes('beadflow worker: agent') || child.exitCode !== null, {
    what: `host ${host.name}'s worker to start`,
    timeoutMs: 60_000,
  });
  assert.equal(child.exitCode, null, `host ${host.name}'s worker stopped:\n${host.out}`);
}

async function stopHost(host: Host): Promise<void> {
  if (host.child && host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
  await host.exited;
}

describe('git: two hosts, and workers killed mid-turn', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  test('roles split over two isolated hosts: A writes, B edits, both land in one commit', async () => {
    const repos = makeRemote({ 'README.md': 'sample\n' }, 'beadflow-two-hosts-');
    const a: Host = { name: 'A', dir: path.join(repos.dir, 'host-a'), out: '' };
    const b: Host = { name: 'B', dir: path.join(repos.dir, 'host-b'), out: '' };
    for (const h of [a, b]) for (const sub of ['home', 'worktrees']) mkdirSync(path.join(h.dir, sub), { recursive: true });
    // The agent reports what it sees of the other host's folder: nothing, under the tmpfs.
    const agent = script(
      repos.dir,
      'agent.sh',
      [
        'cat > /dev/null',
        'seen=$(ls -A "$OTHER_HOST_DIR" | wc -l)',
        'case "$NODE_KEY" in',
        '  investigate) echo "written on $HOST_NAME" > fix.txt ;;',
        '  apply_fix) test -f fix.txt || { echo \'{"outcome":"failure","summary":"fix.txt is missing"}\'; exit 0; }; echo "edited on $HOST_NAME" >> fix.txt ;;',
        'esac',
        'echo "{\\"outcome\\":\\"success\\",\\"summary\\":\\"$NODE_KEY on host $HOST_NAME; other host folder entries: $seen\\"}"',
      ].join('\n'),
    );
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    const common = ['--agent', 'command', '--agent-command', agent, '--task-queue', taskQueue, '--role-queue-prefix', roleQueuePrefix];
    const temporalEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
    try {
      await startHost(a, b.dir, [...common, '--roles', 'QA Engineer,Product Manager'], temporalEnv);
      await startHost(b, a.dir, [...common, '--roles', 'Engineering Manager', '--no-workflows'], temporalEnv);
      const { definition: bug } = loadDefinitionFile(path.join(ROOT, 'definitions/bug.yaml'));
      assert.ok(bug);
      const bead: Bead = {
        id: uniqueId('two'),
        title: 'two hosts',
        type: 'bug',
        description: '',
        priority: 'P2',
        labels: [],
        repo: repos.remote,
      };
      const handle = await startBeadRun(env.client, { bead, definition: bug, options: { roleQueuePrefix } }, taskQueue);
      await waitForState(handle, (s) => s.status === 'waiting_approval', 'the PM review', 60_000);
      await handle.signal('approve', { by: 'Product Manager', reason: 'go' });
      const result = await handle.result();
      const s = await state(handle);
      assert.equal(result.status, 'completed', `${result.status}: ${result.reason}\nA:\n${a.out.slice(-2000)}\nB:\n${b.out.slice(-2000)}`);
      const turns = s.history.filter((e) => e.kind === 'turn').map((e) => e.summary);
      assert.ok(turns.includes('investigate on host A; other host folder entries: 0'), turns.join('\n'));
      assert.ok(turns.includes('apply_fix on host B; other host folder entries: 0'), turns.join('\n'));
      assert.equal(showFile(repos.remote, 'fix.txt'), 'written on A\nedited on B\n');
      assert.equal(subjects(repos.remote).length, 2, `initial + one commit: ${subjects(repos.remote).join(' | ')}`);
      const files = git(repos.remote, 'show', '--name-only', '--format=', 'main').trim().split('\n');
      assert.deepEqual(files, ['fix.txt'], 'one commit holds both hosts’ changes');
    } finally {
      await stopHost(a);
      await stopHost(b);
      repos.cleanup();
    }
  });

  test('kill -9 during turns over 30 beads: every bead’s change lands exactly once', async () => {
    const repos = makeRemote({ 'README.md': 'sample\n' }, 'beadflow-kill-loop-');
    const host: Host = { name: 'K', dir: path.join(repos.dir, 'host'), out: '' };
    const hidden = path.join(repos.dir, 'elsewhere');
    for (const sub of ['home', 'worktrees']) mkdirSync(path.join(host.dir, sub), { recursive: true });
    mkdirSync(hidden);
    // Appends (so a second run on top of the first would show twice), then takes its time.
    const agent = script(
      repos.dir,
      'append.sh',
      'cat > /dev/null\nmkdir -p beads\necho "change of $BEAD_ID" >> "beads/$BEAD_ID.txt"\nsleep 0.7\necho \'{"outcome":"success","summary":"appended"}\'\n',
    );
    const edit: ResolvedDefinition = definition(
      [node('edit', 'task', { maxAttempts: 5 }), node('commit', 'commit', { maxAttempts: 5, leaseMs: 60_000 })],
      [
        ['', 'edit', 'success'],
        ['edit', 'commit', 'success'],
        ['commit', '', 'success'],
      ],
    );
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    const args = ['--agent', 'command', '--agent-command', agent, '--no-workflows', '--role-queue-prefix', roleQueuePrefix];
    const temporalEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' };
    const workflows = await WorkerSet.create({
      connection: env.nativeConnection,
      workflowTaskQueue: taskQueue,
      roles: [],
      roleQueuePrefix,
      provider: (await import('../../src/workers/providers')).createProvider({ env: {} }),
      workflowQueueActivities: {
        ...noLedgerActivities,
        ...createCommitActivities({ client: env.client, worktreesRoot: path.join(repos.dir, 'commits') }),
      },
    });
    let kills = 0;
    try {
      await workflows.runUntil(async () => {
        await startHost(host, hidden, args, temporalEnv);
        const ids = Array.from({ length: 30 }, (_, i) => uniqueId(`k${i}`));
        const handles = await Promise.all(
          ids.map((id) =>
            startBeadRun(
              env.client,
              {
                bead: { id, title: `bead ${id}`, type: 'test', description: '', priority: 'P2', labels: [], repo: repos.remote },
                definition: edit,
                options: { roleQueuePrefix, heartbeatTimeoutMs: 2_000, turnRetryAttempts: 10 },
              },
              taskQueue,
            ),
          ),
        );
        const results = Promise.all(handles.map((h) => h.result()));
        let done = false;
        void results.finally(() => (done = true));
        // Kill the worker whenever a turn is running, a few times, then let it finish.
        while (!done && kills < 6) {
          await waitFor(() => done || /agent turn started/.test(host.out), { what: 'a running turn', timeoutMs: 60_000 });
          if (done) break;
          await stopHost(host);
          kills += 1;
          await startHost(host, hidden, args, temporalEnv);
        }
        const ended = await results;
        assert.deepEqual(
          ended.map((r) => r.status),
          ids.map(() => 'completed'),
        );
        for (const id of ids)
          assert.equal(showFile(repos.remote, `beads/${id}.txt`), `change of ${id}\n`, `bead ${id}'s change landed once`);
        assert.equal(subjects(repos.remote).length, 31, 'one commit per bead');
        assert.ok(kills >= 3, `the worker was killed ${kills} times`);
      });
    } finally {
      await stopHost(host);
      repos.cleanup();
    }
  });
});
