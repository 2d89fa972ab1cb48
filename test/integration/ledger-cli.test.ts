/**
 * The ledger's commands as a user runs them: `node bin/beadflow.js ...` against a test Temporal
 * server and a test PostgreSQL, with a worker in this process. Output, JSON and error messages.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { createLedgerActivities } from '../../src/activities/ledger';
import { startBeadRun } from '../../src/client/start';
import type { Ledger } from '../../src/ledger/connect';
import { createPool } from '../../src/ledger/connect';
import { migrate } from '../../src/ledger/migrate';
import { KNOWN_ROLES } from '../../src/shared/roles';
import type { BeadState } from '../../src/workflows/messages';
import { WorkerSet } from '../../src/workers/worker-set';
import { definition, node } from '../fixtures/definitions';
import type { TestPostgres } from '../helpers/postgres';
import { freePort, startTestPostgres } from '../helpers/postgres';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const DEFINITION = `id: ledger-cli-test
name: Ledger CLI test
description: a task, a review, a task
workflow_type: ledgertest
is_default: true
nodes:
  - { node_key: investigate, node_type: task, role_required: QA Engineer, max_attempts: 2, instructions: look }
  - { node_key: review, node_type: approval, role_required: Product Manager, max_attempts: 1, instructions: decide }
  - { node_key: fix, node_type: task, role_required: Software Engineer, max_attempts: 2, instructions: fix it }
edges:
  - { from_node_key: "", to_node_key: investigate, condition: success, priority: 1 }
  - { from_node_key: investigate, to_node_key: review, condition: success, priority: 1 }
  - { from_node_key: review, to_node_key: fix, condition: approved, priority: 1 }
  - { from_node_key: review, to_node_key: investigate, condition: rejected, priority: 1 }
  - { from_node_key: fix, to_node_key: "", condition: success, priority: 1 }
`;

let env: TestWorkflowEnvironment;
let pg: TestPostgres;
let ledger: Ledger;
let workers: WorkerSet;
let running: Promise<void>;
let dbUrl: string;
let defsDir: string;
const taskQueue = uniqueId('wf');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/beadflow.js', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        DATABASE_URL: dbUrl,
        BEADFLOW_DEFINITIONS: defsDir,
        BEADFLOW_LEDGER: '',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function json<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, `${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

before(async () => {
  [env, pg] = await Promise.all([startTestEnv(), startTestPostgres()]);
  dbUrl = await pg.createDatabase();
  const pool = createPool(dbUrl);
  await migrate(pool);
  ledger = { pool, where: 'test', close: () => pool.end() };
  defsDir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-defs-'));
  writeFileSync(path.join(defsDir, 'ledgertest.yaml'), DEFINITION);
  // Beads the loop starts use the default role queues: this file has its own Temporal server.
  workers = await WorkerSet.create({
    connection: env.nativeConnection,
    workflowTaskQueue: taskQueue,
    roles: [...KNOWN_ROLES],
    provider: new ScriptedAgent(),
    workflowQueueActivities: createLedgerActivities(ledger),
  });
  running = workers.run();
});

after(async () => {
  workers?.shutdown();
  await running;
  await ledger?.close();
  await env?.teardown();
  await pg?.teardown();
  if (defsDir) rmSync(defsDir, { recursive: true, force: true });
});

interface BeadRow {
  id: string;
  status: string;
  priority: number;
  title: string;
  source: string;
}

describe('backlog commands', () => {
  const p0 = uniqueId('p0');
  const p3 = uniqueId('p3');

  test('bead create adds an open bead and prints its id', async () => {
    const r = await cli(['bead', 'create', '--title', 'Crash on save', '--type', 'ledgertest', '--priority', 'P3', '--id', p3]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), p3);
    assert.match(r.stderr, /status open/);
    const row = await json<BeadRow>([
      'bead',
      'create',
      '--title',
      'Data loss',
      '--type',
      'ledgertest',
      '--priority',
      'p0',
      '--id',
      p0,
      '--label',
      'urgent',
    ]);
    assert.equal(row.status, 'open');
    assert.equal(row.priority, 0);
    const dup = await cli(['bead', 'create', '--title', 'again', '--id', p0]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, new RegExp(`error: bead ${p0} already exists`));
    const bad = await cli(['bead', 'create', '--title', 'x', '--priority', 'P9']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown priority "P9"\nhint: use one of P0, P1, P2, P3, P4/);
  });

  test('bead import reads bd JSONL; a second import leaves existing beads alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-bd-'));
    const file = path.join(dir, 'issues.jsonl');
    const id = uniqueId('bd');
    writeFileSync(
      file,
      [
        JSON.stringify({
          id,
          title: 'Imported chore',
          status: 'deferred',
          priority: 1,
          issue_type: 'chore',
          created_at: '2025-01-01T00:00:00Z',
        }),
        JSON.stringify({ id: `${id}-gone`, title: 'deleted', status: 'tombstone' }),
        '{broken',
      ].join('\n'),
    );
    const first = await cli(['bead', 'import', '--from-beads', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /imported 1 bead\(s\) .*; 0 updated, 0 unchanged; 1 deleted \(tombstone\) skipped; 1 line\(s\) unusable/);
    assert.match(first.stderr, /warning: .*issues\.jsonl:3: not JSON/);
    const again = await json<{ imported: number; existing: number }>(['bead', 'import', '--from-beads', file]);
    assert.deepEqual({ imported: again.imported, existing: again.existing }, { imported: 0, existing: 1 });
    const missing = await cli(['bead', 'import', '--from-beads', path.join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.jsonl: ENOENT/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('bead list is in backlog order; bead show prints one bead', async () => {
    const rows = await json<BeadRow[]>(['bead', 'list']);
    const ids = rows.map((r) => r.id);
    assert.ok(ids.indexOf(p0) < ids.indexOf(p3), 'P0 before P3');
    const text = await cli(['bead', 'list', '--status', 'open']);
    assert.match(text.stdout, /^ID\s+PRI\s+STATUS\s+TYPE\s+CREATED\s+TITLE/);
    assert.match(text.stdout, new RegExp(`${p0}\\s+P0\\s+open\\s+ledgertest`));
    const show = await cli(['bead', 'show', p0]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /"Data loss"/);
    assert.match(show.stdout, /labels\s+urgent/);
    assert.match(show.stdout, /executions\s+none yet/);
  });

  test('loop starts open beads in priority order until the backlog is empty', async () => {
    const r = await cli(['loop', '--concurrency', '1', '--task-queue', taskQueue, '--poll', '200ms', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as {
      started: Array<{ beadId: string }>;
      finished: Array<{ beadId: string; status: string }>;
      stoppedBecause: string;
    };
    const started = result.started.map((s) => s.beadId);
    assert.deepEqual(
      started.filter((id) => id === p0 || id === p3),
      [p0, p3],
    );
    assert.equal(result.stoppedBecause, 'backlog empty');
    assert.ok(result.finished.some((f) => f.beadId === p0 && f.status === 'completed'));
    const bead = await json<{ bead: BeadRow; executions: Array<{ status: string }> }>(['bead', 'show', p0]);
    assert.equal(bead.bead.status, 'closed');
    assert.deepEqual(
      bead.executions.map((e) => e.status),
      ['completed'],
    );
    const again = await cli(['loop', '--task-queue', taskQueue, '--poll', '100ms']);
    assert.match(again.stdout, /loop stopped \(backlog empty\): started 0.*; the backlog is empty/);
  });

  test('history, executions and analytics read the ledger', async () => {
    const history = await json<Array<{ seq: number; kind: string }>>(['history', p0]);
    assert.deepEqual(
      history.map((h) => h.seq),
      history.map((_, i) => i + 1),
    );
    assert.equal(history[0].kind, 'move');
    const text = await cli(['history', p0]);
    assert.match(text.stdout, /^execution \S+\n {2}#1 \S+ \S+ {2}\(start\) --success--> investigate\n/);
    assert.match(text.stdout, /review: approved by scripted/);
    const executions = await json<Array<{ bead_id: string; status: string }>>(['executions']);
    assert.ok(executions.some((e) => e.bead_id === p3 && e.status === 'completed'));
    const active = await cli(['executions', '--active']);
    assert.equal(active.stdout, 'no active executions in the ledger\n');
    const a = await json<{ byType: Array<{ workflow_type: string; executions: number; completion_rate: number }> }>(['analytics']);
    const t = a.byType.find((x) => x.workflow_type === 'ledgertest');
    assert.equal(t?.executions, 2);
    assert.equal(t?.completion_rate, 1);
    const table = await cli(['analytics']);
    assert.match(table.stdout, /^TYPE\s+RUNS\s+ACTIVE\s+COMPLETED\s+ESCALATED/);
    assert.match(table.stdout, /ledgertest\s+2\s+0\s+100\.0%\s+0\.0%/);
  });

  test('workflows list and show: the catalog and the ledger', async () => {
    const rows = await json<Array<{ id: string; in_catalog: boolean; in_ledger: boolean; executions: number }>>(['workflows', 'list']);
    assert.deepEqual(
      rows.find((w) => w.id === 'ledger-cli-test'),
      {
        id: 'ledger-cli-test',
        name: 'Ledger CLI test',
        workflow_type: 'ledgertest',
        is_default: true,
        in_catalog: true,
        in_ledger: true,
        executions: 2,
        changed_since_recorded: false,
      },
    );
    assert.equal(rows.find((w) => w.id === 'bug')?.in_ledger, false);
    const show = await cli(['workflows', 'show', 'ledger-cli-test']);
    assert.match(show.stdout, /review\s+approval\s+Product Manager/);
    assert.match(show.stdout, /\(start\)\s+investigate\s+success/);
    const unknown = await cli(['workflows', 'show', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no definition "nope" in the catalog or the ledger\nhint: list them with `npx beadflow workflows list`/);
  });
});

test('executions --escalated and list --active show a bead waiting for the CEO', async () => {
  const def = definition(
    [node('only', 'task', { maxAttempts: 1 })],
    [
      ['', 'only', 'success'],
      ['only', '', 'success'],
    ],
    { id: 'cli-escalating', workflowType: 'cli-escalating' },
  );
  const id = uniqueId('esc');
  const handle = await startBeadRun(
    env.client,
    {
      bead: {
        id,
        title: 'Will escalate',
        type: 'cli-escalating',
        description: '',
        priority: 'P1',
        labels: [],
        scenario: { only: ['failure'] },
      },
      definition: def,
    },
    taskQueue,
  );
  await waitFor(async () => (await handle.query<BeadState>('state')).status === 'escalated', { timeoutMs: 20_000, what: 'the escalation' });
  await waitFor(async () => (await json<Array<{ bead_id: string }>>(['executions', '--escalated'])).some((e) => e.bead_id === id), {
    timeoutMs: 20_000,
    what: 'the escalated row',
  });
  const text = await cli(['executions', '--escalated']);
  assert.match(text.stdout, new RegExp(`${id}\\s+cli-escalating\\s+escalated\\s+only.*attempts: "only" failed 1 of 1 attempts`));
  const listed = await waitFor(
    async () => {
      const rows = await json<Array<{ beadId: string; status: string; currentNode: string; requiredRole: string }>>(['list', '--active']);
      return rows.find((r) => r.beadId === id && r.status === 'escalated');
    },
    { timeoutMs: 20_000, what: 'the bead in visibility' },
  );
  assert.deepEqual({ node: listed.currentNode, role: listed.requiredRole }, { node: 'only', role: 'ceo' });
  const all = await cli(['list']);
  assert.match(all.stdout, new RegExp(`${id}\\s+escalated\\s+only\\s+ceo\\s+cli-escalating`));
  await handle.signal('override', { by: 'CEO', action: 'abort', reason: 'test over' });
  assert.equal((await handle.result()).status, 'aborted');
});

test('status with no worker answering: the search attributes plus the ledger record, and which roles lack a worker', async () => {
  // Its own workflow queue, whose worker stops once the bead waits for a role nobody serves: the poller stays listed, nobody answers.
  const queue = uniqueId('wf-gone');
  const roles = `${uniqueId('role-gone')}-`;
  const own = await WorkerSet.create({
    connection: env.nativeConnection,
    workflowTaskQueue: queue,
    roles: [...KNOWN_ROLES],
    roleQueuePrefix: roles,
    provider: new ScriptedAgent(),
    workflowQueueActivities: createLedgerActivities(ledger),
  });
  const def = definition(
    [node('only', 'task', { maxAttempts: 1, role: 'Data Scientist' })],
    [
      ['', 'only', 'success'],
      ['only', '', 'success'],
    ],
    { id: 'cli-gone', workflowType: 'cli-gone' },
  );
  const id = uniqueId('gone');
  const bead = { id, title: 'Worker leaves', type: 'cli-gone', description: '', priority: 'P2' as const, labels: [] };
  const handle = await startBeadRun(env.client, { bead, definition: def, options: { roleQueuePrefix: roles } }, queue);
  await own.runUntil(async () => {
    await waitFor(async () => (await handle.query<BeadState>('state')).currentNode === 'only', {
      timeoutMs: 20_000,
      what: 'the bead at its node',
    });
    const rows = () => json<Array<{ bead_id: string; current_node_key: string }>>(['executions', '--active']);
    await waitFor(async () => (await rows()).some((e) => e.bead_id === id && e.current_node_key === 'only'), {
      timeoutMs: 20_000,
      what: 'the ledger row',
    });
  });
  const r = await cli(['status', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^status {6}running {2}\(Temporal: running\)$/m);
  assert.match(r.stdout, /^node {8}only {2}\(waiting on data-scientist\)$/m);
  assert.match(r.stdout, /^ledger {6}running at only; attempts 1, cycles 0, dispatches 1; started /m);
  assert.match(
    r.stdout,
    /^note {8}no worker on task queue \S+ answered within 10s, so this is the last state the bead published \(search attributes\); roles without a worker: Data Scientist; start one with `npm run worker`$/m,
  );
  const asJson = await json<{ source: string; why: string; ledger: { status: string } | null; rolesWithoutWorker: string[] }>([
    'status',
    id,
  ]);
  assert.deepEqual(
    [asJson.source, asJson.why, asJson.ledger?.status, asJson.rolesWithoutWorker],
    ['search-attributes', 'no-answer', 'running', ['Data Scientist']],
  );
  await handle.terminate('test over');
});

describe('errors', () => {
  test('database unreachable: which URL (no password), how to start one', async () => {
    const port = await freePort();
    const r = await cli(['bead', 'list'], { DATABASE_URL: `postgres://bob:secret@127.0.0.1:${port}/ledger` });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`^error: cannot reach the ledger database at postgres://bob:\\*\\*\\*@127\\.0\\.0\\.1:${port}/ledger: .*ECONNREFUSED`),
    );
    assert.match(
      r.stderr,
      /\nhint: start it \(docker compose up -d ledger-db\), fix DATABASE_URL, or unset DATABASE_URL to use the embedded default/,
    );
    assert.doesNotMatch(r.stderr, /secret/);
  });

  test('unknown bead', async () => {
    for (const args of [
      ['history', 'bf-nope'],
      ['bead', 'show', 'bf-nope'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'error: no bead bf-nope in the ledger\nhint: list beads with `npx beadflow bead list`; a bead started while the worker ran with --no-ledger is not recorded\n',
      );
    }
  });

  test('Temporal unreachable for list; ledger off; conflicting flags', async () => {
    const port = await freePort();
    const list = await cli(['list'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    assert.equal(list.code, 1);
    assert.match(list.stderr, new RegExp(`error: cannot reach the Temporal server at 127\\.0\\.0\\.1:${port}`));
    const off = await cli(['executions'], { BEADFLOW_LEDGER: 'off' });
    assert.equal(off.code, 1);
    assert.match(off.stderr, /error: the ledger is off \(BEADFLOW_LEDGER=off\)/);
    const both = await cli(['executions', '--active', '--escalated']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--active and --escalated exclude each other/);
  });
});

test('loop --max-iterations: stops with work left, says so, exit 3; the next loop goes on', async () => {
  for (const n of [1, 2]) {
    const r = await cli(['bead', 'create', '--title', `Iteration ${n}`, '--type', 'ledgertest', '--id', uniqueId(`iter${n}`)]);
    assert.equal(r.code, 0, r.stderr);
  }
  const capped = await cli(['loop', '--concurrency', '1', '--max-iterations', '1', '--task-queue', taskQueue, '--poll', '100ms']);
  assert.equal(capped.code, 3, capped.stderr);
  assert.match(
    capped.stdout,
    /^loop stopped \(max iterations\): started 1, .*stopped after --max-iterations 1 beads with work left in the backlog/m,
  );
  const rest = await cli(['loop', '--task-queue', taskQueue, '--poll', '100ms', '--json']);
  assert.equal(rest.code, 0, rest.stderr);
  assert.equal((JSON.parse(rest.stdout) as { started: unknown[] }).started.length, 1);
  const bad = await cli(['loop', '--max-iterations', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-iterations must be a whole number of at least 1, not "0"/);
});
