/**
 * The compose deployment's Temporal pieces without Docker: deploy/temporal/schema.sh with the real
 * temporal-sql-tool, Temporal's server on deploy/temporal/config (only its ports moved to free
 * ones) and the dynamic config, then deploy/temporal/setup.sh with the real CLI. What Docker adds
 * (images, networks, healthchecks, the entrypoints) is not run here: docs/docker.md.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { Client } from 'pg';
import { BEAD_SEARCH_ATTRIBUTE_NAMES, searchAttributeCliArgs } from '../../src/shared/search-attributes';
import { temporalCacheDir } from '../../src/temporal/binary';
import { clusterCacheDir } from '../../src/temporal/cluster-binaries';
import { choosePorts } from '../../src/temporal/cluster-config';
import { clusterSkipReason } from '../helpers/cluster';
import { freePort, startTestPostgres, type TestPostgres } from '../helpers/postgres';

const ROOT = path.resolve(__dirname, '../..');
const cli = process.env.TEMPORAL_CLI || path.join(temporalCacheDir(), 'temporal');
const skip = clusterSkipReason() || (existsSync(cli) ? false : `the Temporal CLI is not at ${cli} (npx beadflow server installs it)`);

let pg: TestPostgres;
let dir: string;
let server: ChildProcess | undefined;
let address: string;
let vars: Record<string, string>;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

function script(name: string, extra: Record<string, string>) {
  return spawnSync('sh', [path.join(dir, name)], {
    env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, ...vars, ...extra },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

before(async () => {
  if (skip) return;
  pg = await startTestPostgres();
  dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-deploy-'));
  cpSync(path.join(ROOT, 'deploy/temporal'), dir, { recursive: true });
  // setup.sh calls `temporal`: this CLI under that name.
  mkdirSync(path.join(dir, 'bin'));
  symlinkSync(cli, path.join(dir, 'bin', 'temporal'));
  // The file's fixed ports may be taken on a shared machine: the same layout on free ones.
  const ports = await choosePorts(await freePort(), undefined);
  const moved: Record<string, number> = {
    7233: ports.frontend,
    7243: ports.frontendHttp,
    6933: ports.frontendMembership,
    7234: ports.history,
    6934: ports.historyMembership,
    7235: ports.matching,
    6935: ports.matchingMembership,
    7239: ports.worker,
    6939: ports.workerMembership,
  };
  const configFile = path.join(dir, 'config/beadflow.yaml');
  writeFileSync(
    configFile,
    readFileSync(configFile, 'utf8').replace(/\b(7233|7243|6933|7234|6934|7235|6935|7239|6939)\b/g, (p) => String(moved[p])),
  );
  address = `127.0.0.1:${ports.frontend}`;
  const u = new URL(pg.url());
  vars = {
    POSTGRES_SEEDS: u.hostname,
    DB_PORT: u.port,
    POSTGRES_USER: decodeURIComponent(u.username),
    POSTGRES_PWD: decodeURIComponent(u.password) || 'unused',
    SQL_PASSWORD: decodeURIComponent(u.password) || 'unused',
    SCHEMA_DIR: path.join(clusterCacheDir(), 'schema/postgresql/v12'),
    NUM_HISTORY_SHARDS: '2',
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: path.join(dir, 'dynamicconfig.yaml'),
  };
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
  }
  await pg?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('schema.sh, the server on deploy/temporal/config, setup.sh: namespace and search attributes verified', { skip }, async () => {
  const sqlPath = `${clusterCacheDir()}:${path.join(dir, 'bin')}:${process.env.PATH}`;
  const schema = script('schema.sh', { PATH: sqlPath });
  assert.equal(schema.status, 0, `${schema.stdout}\n${schema.stderr}`);
  assert.equal(script('schema.sh', { PATH: sqlPath }).status, 0, 'rerunnable');

  const log = path.join(dir, 'server.log');
  writeFileSync(log, '');
  server = spawn(
    path.join(clusterCacheDir(), 'temporal-server'),
    ['--root', dir, '--config', 'config', '--env', 'beadflow', '--allow-no-auth', 'start'],
    {
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  server.stderr!.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));

  const attrs = searchAttributeCliArgs()
    .filter((a) => a !== '--search-attribute')
    .join(' ');
  const setup = script('setup.sh', { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', BEADFLOW_SEARCH_ATTRIBUTES: attrs });
  assert.equal(setup.status, 0, `${setup.stdout}\n${setup.stderr}\nserver: ${readFileSync(log, 'utf8').slice(-2000)}`);
  assert.match(setup.stdout, /verified/);

  const shards = await query<{ n: string }>(pg.url('temporal'), 'SELECT count(*) AS n FROM shards');
  assert.equal(Number(shards[0].n), 2, 'NUM_HISTORY_SHARDS reached the server');
  const members = await query<{ rpc_port: number }>(
    pg.url('temporal'),
    'SELECT rpc_port FROM cluster_membership WHERE record_expiry > now()',
  );
  assert.ok(members.length >= 4, `four services joined: ${JSON.stringify(members)}`);
  const connection = await Connection.connect({ address });
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const name of BEAD_SEARCH_ATTRIBUTE_NAMES) assert.ok(name in (listed.customAttributes ?? {}), name);
  } finally {
    await connection.close();
  }
});
