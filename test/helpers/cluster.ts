/**
 * A real Temporal cluster for integration tests: a throwaway PostgreSQL (startTestPostgres), the
 * cluster on it (2 shards unless told), and a TestWorkflowEnvironment connected to it, so the
 * BeadHarness and everything built on `env.client` / `env.nativeConnection` work unchanged.
 *
 *   const c = await startTestCluster();          // in before()
 *   await c.crash(); await c.restart();           // kill -9 the server, start it on the same database
 *   await c.teardown();                           // in after(): env, server, PostgreSQL, state dir
 *
 * `BEADFLOW_TEST_CLUSTER=1` makes startTestEnv() (helpers/temporal.ts) return such an env.
 */
import { missingClusterParts } from '../../src/temporal/cluster-binaries';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ClusterHandle } from '../../src/temporal/cluster-server';
import { startCluster } from '../../src/temporal/cluster-server';
import { freePort } from '../../src/system/port';
import { startTestPostgres, type TestPostgres } from './postgres';

export const TEST_CLUSTER_ENV = 'BEADFLOW_TEST_CLUSTER';

export function clusterRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes|on)$/i.test(env[TEST_CLUSTER_ENV] ?? '');
}

/**
 * Why a cluster test file cannot run here, or false. In a plain `npm test` without the built
 * programs the files are skipped rather than spend 5-10 minutes building; `npm run test:cluster`
 * (run first in CI) builds them, so CI's `npm test` runs these files too.
 */
export function clusterSkipReason(): string | false {
  const missing = missingClusterParts();
  return !clusterRequested() && missing.length > 0
    ? `the Temporal cluster programs are not built (missing: ${missing.join(', ')}); npm run test:cluster builds and runs them`
    : false;
}

export interface TestCluster {
  env: TestWorkflowEnvironment;
  /** The running server (replaced by restart()). */
  server: ClusterHandle;
  pg: TestPostgres;
  /** SIGKILL the Temporal server (and its UI): a crash, nothing flushed. */
  crash(): Promise<void>;
  /** Start the server again on the same database, state directory and ports; returns startup ms. */
  restart(): Promise<number>;
  teardown(): Promise<void>;
}

export async function startTestCluster(
  opts: {
    shards?: number;
    namespace?: string;
    dynamicConfig?: Record<string, unknown>;
    /** For tests that crash PostgreSQL: see startTestPostgres. */
    durableCommits?: boolean;
  } = {},
): Promise<TestCluster> {
  const log = (line: string) => {
    if (process.env.BEADFLOW_TEST_CLUSTER_VERBOSE) process.stderr.write(`cluster: ${line}\n`);
  };
  const pg = await startTestPostgres({ durableCommits: opts.durableCommits });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-cluster-'));
  const port = await freePort();
  const start = () =>
    startCluster({
      dir,
      postgresUrl: pg.url(),
      shards: opts.shards ?? 2,
      port,
      ui: false,
      namespace: opts.namespace,
      dynamicConfig: opts.dynamicConfig,
      log,
    });
  let server: ClusterHandle;
  try {
    server = await start();
  } catch (err) {
    await pg.teardown();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  process.stderr.write(
    `integration tests use a Temporal cluster at ${server.address} (${server.shards} shards, ready in ${server.startupMs}ms)\n`,
  );
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: server.namespace });
  const closeEnv = env.teardown.bind(env); // startTestEnv replaces env.teardown with cluster.teardown
  const cluster: TestCluster = {
    env,
    server,
    pg,
    crash: () => cluster.server.kill(),
    async restart() {
      cluster.server = await start();
      return cluster.server.startupMs;
    },
    async teardown() {
      await closeEnv().catch(() => undefined);
      await cluster.server.stop();
      await pg.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
