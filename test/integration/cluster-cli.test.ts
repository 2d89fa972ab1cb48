/**
 * `beadflow server --cluster --postgres-url URL`: the command itself, in the foreground: it
 * reports ready with the gRPC address and the Web UI, serves both, and Ctrl-C stops it cleanly.
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { isHttpOk } from '../../src/system/port';
import { clusterSkipReason } from '../helpers/cluster';
import { freePort, startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { waitFor } from '../helpers/temporal';

const BIN = path.resolve(__dirname, '../../bin/beadflow.js');
const skip = clusterSkipReason();

let pg: TestPostgres;
let project: string;
before(async () => {
  if (skip) return;
  pg = await startTestPostgres();
  project = mkdtempSync(path.join(os.tmpdir(), 'beadflow-cluster-cli-'));
  writeFileSync(path.join(project, 'package.json'), '{"name":"p"}\n');
});
after(async () => {
  await pg?.teardown();
  if (project) rmSync(project, { recursive: true, force: true });
});

test('server --cluster: ready line, gRPC and Web UI answer, Ctrl-C stops it', { skip, timeout: 300_000 }, async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [BIN, 'server', '--cluster', '--postgres-url', pg.url(), '--shards', '2', '--port', String(port), '--ui-port', String(uiPort)],
    { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(() => output.includes('server: ready:'), {
      timeoutMs: 180_000,
      intervalMs: 200,
      what: `the ready line; output: ${output}`,
    });
    assert.match(output, new RegExp(`ready: gRPC 127\\.0\\.0\\.1:${port}, namespace default, Web UI http://127\\.0\\.0\\.1:${uiPort}`));
    assert.match(output, /temporal cluster ready on .* \(2 shards/);
    const conn = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      assert.equal((await conn.workflowService.getSystemInfo({})).serverVersion, '1.29.1');
    } finally {
      await conn.close();
    }
    assert.ok(await isHttpOk(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default`), 'the Web UI reaches the namespace');
    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    assert.match(output, /server: stopped/);
  } finally {
    child.kill('SIGKILL');
  }
});
