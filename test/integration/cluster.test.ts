/**
 * Issue 12 item 5: beads on a real Temporal cluster (Temporal's own server on PostgreSQL, 2
 * shards), and the cluster surviving its own `kill -9`: restarted on the same database, a bead
 * that was mid-run continues and nothing that completed runs again.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from 'pg';
import { BeadHarness, moves, state } from '../helpers/beads';
import { startCluster } from '../../src/temporal/cluster-server';
import { clusterSkipReason, startTestCluster, type TestCluster } from '../helpers/cluster';
import { waitFor } from '../helpers/temporal';
import { bugLike, definition, node } from '../fixtures/definitions';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

const skip = clusterSkipReason();

describe('temporal cluster', { timeout: 600_000, skip }, () => {
  let cluster: TestCluster;
  let env: TestWorkflowEnvironment;
  before(async () => {
    cluster = await startTestCluster({ shards: 2 });
    env = cluster.env;
  });
  after(async () => cluster?.teardown());

  test('the cluster runs on PostgreSQL with 2 shards and membership ports below 32768', async () => {
    const shards = await query<{ n: string }>(cluster.pg.url('temporal'), 'SELECT count(*) AS n FROM shards');
    assert.equal(Number(shards[0].n), 2);
    const members = await query<{ rpc_port: number; role: number }>(
      cluster.pg.url('temporal'),
      'SELECT rpc_port, role FROM cluster_membership WHERE record_expiry > now()',
    );
    assert.ok(members.length >= 4, `four services joined: ${JSON.stringify(members)}`);
    for (const m of members) assert.ok(m.rpc_port > 0 && m.rpc_port < 32768, `membership port ${m.rpc_port}`);
    const attrs = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const name of ['BeadId', 'BeadType', 'BeadStatus', 'CurrentNode', 'RequiredRole'])
      assert.ok(name in (attrs.customAttributes ?? {}), `${name} registered`);
  });

  test('a second start on a running cluster says which process has it and what to do', async () => {
    const port = Number(cluster.server.address.split(':')[1]);
    await assert.rejects(
      startCluster({ dir: cluster.server.dir, postgresUrl: cluster.pg.url(), port, ui: false, log: () => undefined }),
      new RegExp(
        `from an earlier run still runs \\(pid ${cluster.server.serverPid}, port ${port}\\).*TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${port}`,
      ),
    );
  });

  test('a simple bead completes through real workers', async () => {
    const def = definition(
      [node('a'), node('b'), node('c')],
      [
        ['', 'a', 'success'],
        ['a', 'b', 'success'],
        ['b', 'c', 'success'],
        ['c', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const started = Date.now();
      const handle = await h.start(def);
      assert.equal((await handle.result()).status, 'completed');
      const ms = Date.now() - started;
      process.stderr.write(`cluster: a 3-node bead took ${ms}ms (${Math.round(ms / 4)}ms per transition)\n`);
      assert.deepEqual(moves(await state(handle)), ['^>a:success', 'a>b:success', 'b>c:success', 'c>$:success']);
    });
  });

  test('kill -9 of the server mid-bead, restart on the same database: the bead continues and nothing done runs again', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    const running = workers.run();
    try {
      const handle = await h.start(bugLike(), { scenario: { apply_fix: ['sleep:3s'] }, options: { heartbeatTimeoutMs: 2_000 } });
      await waitFor(() => h.turns.some((t) => t.beadId === handle.workflowId && t.node === 'apply_fix' && t.phase === 'start'), {
        timeoutMs: 30_000,
        what: 'apply_fix started',
      });
      await cluster.crash();
      const restartMs = await cluster.restart();
      process.stderr.write(`cluster: restarted after kill -9 in ${restartMs}ms\n`);
      const result = await waitFor(() => handle.result(), {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: 'the bead to finish after the restart',
      });
      assert.equal(result.status, 'completed');
      const done = h.turnsOf(handle.workflowId);
      for (const key of ['investigate', 'pm_review', 'apply_fix'])
        assert.equal(done.filter((t) => t.startsWith(key)).length, 1, `${key} ran once: ${done}`);
      const s = await state(handle);
      assert.equal(s.history.filter((e) => e.kind === 'turn' && e.node === 'commit_and_push').length, 1, 'the commit node ran once');
      assert.deepEqual(moves(s), [
        '^>investigate:success',
        'investigate>pm_review:success',
        'pm_review>apply_fix:approved',
        'apply_fix>commit_and_push:success',
        'commit_and_push>$:success',
      ]);
    } finally {
      workers.shutdown();
      await running;
    }
  });
});
