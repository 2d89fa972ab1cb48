import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { missingClusterParts, resolveClusterBinaries } from '../../src/temporal/cluster-binaries';
import { choosePorts, MAX_MEMBERSHIP_PORT, renderDynamicConfig, renderServerConfig } from '../../src/temporal/cluster-config';
import { startCluster } from '../../src/temporal/cluster-server';
import { freePort } from '../../src/system/port';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'beadflow-cluster-unit-'));
}

test('ports: every internal and membership port is below 32768 (SMALLINT) and distinct; free previous ones are reused', async () => {
  const ports = await choosePorts(7233, undefined);
  const { frontend, ...internal } = ports;
  assert.equal(frontend, 7233);
  const values = Object.values(internal);
  for (const p of values) assert.ok(p >= 20000 && p <= MAX_MEMBERSHIP_PORT, `port ${p}`);
  assert.equal(new Set(values).size, values.length);
  const again = await choosePorts(7233, ports);
  assert.deepEqual(again, ports);
});

test('server config: postgres12 stores, shard count, absolute dynamic-config path, archival off', async () => {
  const ports = await choosePorts(7233, undefined);
  const yaml = renderServerConfig({
    pg: { host: '127.0.0.1', port: 5432, user: 'u', password: 'p"w', adminUrl: 'postgres://u@127.0.0.1/postgres' },
    databases: { main: 'temporal', visibility: 'temporal_visibility' },
    shards: 3,
    ports,
    dynamicConfigFile: '/abs/dir/config/dynamicconfig.yaml',
    logFile: '/abs/dir/temporal-server.log',
    logLevel: 'warn',
  });
  assert.equal(yaml.match(/pluginName: "postgres12"/g)?.length, 2);
  assert.match(yaml, /numHistoryShards: 3\n/);
  assert.match(yaml, /databaseName: "temporal_visibility"/);
  assert.match(yaml, /password: "p\\"w"/, 'quoted');
  assert.match(yaml, /filepath: "\/abs\/dir\/config\/dynamicconfig.yaml"/);
  assert.match(yaml, new RegExp(`membershipPort: ${ports.historyMembership}\\n`));
  assert.match(yaml, /rpcAddress: "127.0.0.1:7233"/);
  assert.doesNotMatch(yaml, /state: "enabled"/);
});

test('dynamic config: the task-queue read rates and fast namespace refresh, in the file format', () => {
  const text = renderDynamicConfig();
  assert.match(text, /history\.transferProcessorMaxPollRPS:\n {2}- value: 1000\n/);
  assert.match(text, /system\.namespaceCacheRefreshInterval:\n {2}- value: "1s"\n/);
  assert.match(text, /system\.forceSearchAttributesCacheRefreshOnRead:\n {2}- value: true\n/);
});

test('programs: an empty cache lists everything missing; build:false says what is missing where', async () => {
  const dir = tmp();
  try {
    const env = { ...process.env, XDG_CACHE_HOME: dir };
    const cache = path.join(dir, 'beadflow', 'temporal-server-v1.29.1');
    assert.deepEqual(missingClusterParts(cache), ['temporal-server', 'temporal-sql-tool', 'temporal-ui-server', 'schema/postgresql/v12']);
    await assert.rejects(
      resolveClusterBinaries({ env, build: false }),
      /not built \(missing in .*temporal-server-v1\.29\.1: temporal-server/,
    );
    await assert.rejects(
      resolveClusterBinaries({ env: { ...env, PATH: '/nonexistent' }, goCandidates: [], log: () => undefined }),
      /cannot build the Temporal server: no working `go` found\. Install Go >= 1\.25/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start: refuses another shard count on the same database, and a URL that is not postgres://', async () => {
  const dir = tmp();
  try {
    writeFileSync(
      path.join(dir, 'cluster.json'),
      JSON.stringify({ shards: 4, database: '127.0.0.1:5999/temporal', ports: await choosePorts(7233, undefined) }),
    );
    const port = await freePort();
    await assert.rejects(
      startCluster({ dir, postgresUrl: 'postgres://u:p@127.0.0.1:5999/postgres', shards: 2, port, ui: false, log: () => undefined }),
      /was created with 4 history shards; Temporal cannot change that later\. Run it with --shards 4/,
    );
    await assert.rejects(startCluster({ dir, postgresUrl: 'mysql://x@h/db', port, ui: false }), /must start with postgres:\/\//);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
