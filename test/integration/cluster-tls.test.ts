/**
 * The cluster of `server --cluster` behind mTLS (real openssl certificates): plain-text and
 * certificate-less clients are refused; a worker process and the `beadflow` command, configured
 * only by Temporal's standard TEMPORAL_* variables, run a bead end to end and read its status.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import type { ClusterHandle } from '../../src/temporal/cluster-server';
import { startCluster } from '../../src/temporal/cluster-server';
import { makeTestCerts, type TestCerts } from '../helpers/certs';
import { clusterSkipReason } from '../helpers/cluster';
import { freePort, startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { uniqueId, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/beadflow.js');
const run = promisify(execFile);
const skip = clusterSkipReason();

let pg: TestPostgres | undefined;
let cluster: ClusterHandle | undefined;
let dir: string;
let certs: TestCerts;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-cluster-tls-'));
  certs = makeTestCerts(dir);
  pg = await startTestPostgres();
  cluster = await startCluster({
    dir: path.join(dir, 'cluster'),
    postgresUrl: pg.url(),
    shards: 2,
    port: await freePort(),
    ui: false,
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca },
    log: () => undefined,
  });
});
after(async () => {
  await cluster?.stop();
  await pg?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Only the standard variables: nothing of this process's TEMPORAL_* or a user's config file leaks in. */
function tlsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TEMPORAL_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return {
    ...env,
    TEMPORAL_CONFIG_FILE: path.join(dir, 'no-such-config.toml'),
    TEMPORAL_ADDRESS: cluster!.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    BEADFLOW_LEDGER: 'off',
    ...extra,
  };
}

async function refused(options: Parameters<typeof Connection.connect>[0]): Promise<string> {
  try {
    const conn = await Connection.connect({ ...options, connectTimeout: '3s' });
    try {
      await conn.workflowService.getSystemInfo({}, { timeout: 3000 } as never);
    } finally {
      await conn.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail('the connection was accepted');
}

test(
  'mTLS: plain text and TLS without a client certificate are refused; a CA-signed client is served',
  { skip, timeout: 60_000 },
  async () => {
    const address = cluster!.address;
    assert.equal(cluster!.tls?.mutual, true);
    assert.ok(await refused({ address }), 'plain text');
    const ca = readFileSync(certs.ca);
    assert.ok(await refused({ address, tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost' } }), 'no client cert');
    const conn = await Connection.connect({
      address,
      tls: {
        serverRootCACertificate: ca,
        serverNameOverride: 'localhost',
        clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
      },
    });
    try {
      assert.equal((await conn.workflowService.getSystemInfo({})).serverVersion, '1.29.1');
    } finally {
      await conn.close();
    }
  },
);

test('a worker and `beadflow bead start` / `status` over mTLS, set only by TEMPORAL_* variables', { skip, timeout: 180_000 }, async () => {
  const definition = path.join(dir, 'tls-bead.yaml');
  writeFileSync(
    definition,
    `id: tls-bead
name: TLS bead
description: two turns through the TLS cluster
workflow_type: tlsbead
nodes:
  - { node_key: look, node_type: task, role_required: QA Engineer, max_attempts: 1, instructions: look }
  - { node_key: fix, node_type: task, role_required: Engineering Manager, max_attempts: 1, instructions: fix }
edges:
  - { from_node_key: "", to_node_key: look, condition: success, priority: 1 }
  - { from_node_key: look, to_node_key: fix, condition: success, priority: 1 }
  - { from_node_key: fix, to_node_key: "", condition: success, priority: 1 }
`,
  );
  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts', '--agent', 'scripted', '--no-ledger'], {
    cwd: ROOT,
    env: tlsEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  worker.stdout.on('data', (c: Buffer) => (out += c.toString()));
  worker.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  try {
    await waitFor(() => out.includes('beadflow worker: agent') || worker.exitCode !== null, {
      what: `the worker to start; output:\n${out}`,
      timeoutMs: 60_000,
    });
    assert.equal(worker.exitCode, null, `the worker exited:\n${out}`);
    const id = uniqueId('tls-bead');
    const cliWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      run(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 90_000 });
    const cli = (...args: string[]) => cliWith(tlsEnv(), ...args);
    const started = await cli('bead', 'start', '--title', 'Over TLS', '--definition', definition, '--id', id, '--wait', '--json');
    assert.equal(JSON.parse(started.stdout).status, 'completed', started.stderr);
    const status = JSON.parse((await cli('status', id, '--json')).stdout) as { status: string; beadId: string };
    assert.equal(status.beadId, id);
    assert.equal(status.status, 'completed');
    // The same command without the client certificate is refused by the server, not silently sent in plain text.
    const noCert = tlsEnv();
    delete noCert.TEMPORAL_TLS_CLIENT_CERT_PATH;
    delete noCert.TEMPORAL_TLS_CLIENT_KEY_PATH;
    const bare = await cliWith(noCert, 'status', id).then(
      () => assert.fail('status without a client certificate succeeded'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(bare.code, 1, bare.stderr);
  } finally {
    worker.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (worker.exitCode === null) worker.kill('SIGKILL');
  }
});
