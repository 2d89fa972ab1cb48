/**
 * Beads running on Temporal with the ledger on a real PostgreSQL: the rows match the run's
 * `state.history` exactly, across continue-as-new, retried writes and a worker crash, and the
 * ledger going down mid-run neither stops the bead nor loses rows once it is back.
 */
import assert from 'node:assert/strict';
import type { HistoryRow as LedgerHistoryRow } from '../../src/ledger/queries';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { createLedgerActivities } from '../../src/activities/ledger';
import { startBeadRun } from '../../src/client/start';
import type { Ledger } from '../../src/ledger/connect';
import { createPool } from '../../src/ledger/connect';
import { migrate } from '../../src/ledger/migrate';
import type { LedgerActivities } from '../../src/ledger/progress';
import type { Bead, RunOptions, Scenario } from '../../src/shared/bead';
import { KNOWN_ROLES } from '../../src/shared/roles';
import type { BeadState } from '../../src/workflows/messages';
import { WorkerSet } from '../../src/workers/worker-set';
import { definition, node } from '../fixtures/definitions';
import type { TestPostgres } from '../helpers/postgres';
import { startTestPostgres } from '../helpers/postgres';
import { saveHistory } from '../helpers/histories';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let pg: TestPostgres;
const pools: Pool[] = [];

before(async () => {
  [env, pg] = await Promise.all([startTestEnv(), startTestPostgres()]);
});

after(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await env?.teardown();
  await pg?.teardown();
});

const def = definition(
  [node('investigate'), node('review', 'approval', { maxAttempts: 1 }), node('fix')],
  [
    ['', 'investigate', 'success'],
    ['investigate', 'review', 'success'],
    ['review', 'fix', 'approved'],
    ['review', 'investigate', 'rejected'],
    ['fix', '', 'success'],
  ],
  { id: 'ledger-test', workflowType: 'ledger-test' },
);

async function ledgerOn(server: TestPostgres): Promise<Ledger> {
  const pool = createPool(await server.createDatabase());
  pools.push(pool);
  await migrate(pool);
  return { pool, where: 'test', close: () => pool.end() };
}

class Run {
  readonly taskQueue = uniqueId('wf');
  readonly prefix = `${uniqueId('role')}-`;

  workers(activities: LedgerActivities | undefined): Promise<WorkerSet> {
    return WorkerSet.create({
      connection: env.nativeConnection,
      workflowTaskQueue: this.taskQueue,
      roles: [...KNOWN_ROLES],
      roleQueuePrefix: this.prefix,
      provider: new ScriptedAgent(),
      workflowQueueActivities: activities,
    });
  }

  start(scenario: Scenario, options: RunOptions = {}, definition = def) {
    const bead: Bead = {
      id: uniqueId('bead'),
      title: 'ledger bead',
      type: def.workflowType,
      description: 'd',
      priority: 'P1',
      labels: ['x'],
      scenario,
    };
    return startBeadRun(env.client, { bead, definition, options: { roleQueuePrefix: this.prefix, ...options } }, this.taskQueue);
  }
}

type HistoryRow = Omit<LedgerHistoryRow, 'execution_id'>;

async function historyRows(pool: Pool, beadId: string): Promise<HistoryRow[]> {
  const { rows } = await pool.query<HistoryRow>(
    `SELECT seq, kind, node_key, role, agent_id, outcome, condition, to_node_key, attempt_number, dispatch_number, branch, summary, result_data, started_at, completed_at
     FROM workflow_execution_history WHERE bead_id = $1 ORDER BY seq`,
    [beadId],
  );
  return rows;
}

/** Every history entry has exactly one row, column by column, and nothing else is there. */
async function assertRowsMatch(pool: Pool, state: BeadState): Promise<void> {
  const rows = await waitFor(
    async () => {
      const r = await historyRows(pool, state.beadId);
      return r.length >= state.history.length ? r : undefined;
    },
    { timeoutMs: 20_000, what: `ledger rows for ${state.beadId}` },
  );
  const expected = state.history.map((h) => ({
    seq: h.seq,
    kind: h.kind,
    node_key: h.node,
    role: h.role ?? null,
    agent_id: h.actor ?? null,
    outcome: h.outcome ?? null,
    condition: h.condition ?? null,
    to_node_key: h.to ?? null,
    attempt_number: h.attempt ?? null,
    dispatch_number: h.dispatch ?? null,
    branch: h.branch ?? null,
    summary: h.summary,
    result_data: h,
    started_at: h.startedAt === undefined ? null : new Date(h.startedAt),
    completed_at: new Date(h.endedAt),
  }));
  assert.deepEqual(rows, expected);
}

async function execution(pool: Pool, beadId: string) {
  const { rows } = await pool.query('SELECT * FROM workflow_executions WHERE bead_id = $1', [beadId]);
  return rows as Array<Record<string, unknown>>;
}

test("a run's rows match its state.history exactly; execution and bead rows follow the run", async () => {
  const ledger = await ledgerOn(pg);
  const run = new Run();
  const workers = await run.workers(createLedgerActivities(ledger));
  await workers.runUntil(async () => {
    const handle = await run.start({ review: ['rejected', 'approved'] });
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    const state = await handle.query<BeadState>('state');
    assert.ok(state.history.length >= 10, `expected a few moves, got ${state.history.length}`);
    await assertRowsMatch(ledger.pool, state);
    const [ex] = await execution(ledger.pool, state.beadId);
    assert.equal(ex.id, handle.firstExecutionRunId);
    assert.equal(ex.status, 'completed');
    assert.equal(ex.workflow_id, 'ledger-test');
    assert.equal(ex.current_node_key, state.currentNode);
    assert.equal(ex.cycle_count, state.cycleCount);
    assert.equal(ex.node_attempt_count, state.attempts);
    assert.equal(ex.dispatch_count, state.dispatchCount);
    assert.equal(ex.last_seq, state.history[state.history.length - 1].seq);
    assert.ok(ex.completed_at instanceof Date && ex.completed_at >= (ex.started_at as Date));
    const bead = await ledger.pool.query('SELECT status, title, priority, labels, source FROM beads WHERE id = $1', [state.beadId]);
    assert.deepEqual(bead.rows, [{ status: 'closed', title: 'ledger bead', priority: 1, labels: ['x'], source: 'run' }]);
  });
});

test('writes are batched: a bead of fast turns writes at its start and its end, not at every change', async () => {
  const ledger = await ledgerOn(pg);
  const real = createLedgerActivities(ledger);
  let writes = 0;
  const counting: LedgerActivities = {
    async recordBeadProgress(progress) {
      writes++;
      return real.recordBeadProgress(progress);
    },
  };
  const run = new Run();
  const workers = await run.workers(counting);
  await workers.runUntil(async () => {
    // No write falls due by time alone here: only the start, each wait at the review, and the end.
    const handle = await run.start({ review: ['rejected', 'approved'] }, { ledger: { batchMs: 600_000 } });
    assert.equal((await handle.result()).status, 'completed');
    const state = await handle.query<BeadState>('state');
    await assertRowsMatch(ledger.pool, state);
    const waits = state.history.filter((h) => h.kind === 'decision').length;
    assert.equal(waits, 2);
    assert.ok(writes <= waits + 2, `expected at most ${waits + 2} ledger writes for ${state.history.length} entries, got ${writes}`);
  });
});

test('across continue-as-new: one execution (the first run id), every entry once', async () => {
  const ledger = await ledgerOn(pg);
  const run = new Run();
  const workers = await run.workers(createLedgerActivities(ledger));
  await workers.runUntil(async () => {
    const handle = await run.start({ review: ['rejected', 'approved'] }, { continueAsNewAfterEvents: 25 });
    assert.equal((await handle.result()).status, 'completed');
    const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
    assert.notEqual(latest.runId, handle.firstExecutionRunId, 'the bead should have continued as new');
    const state = await env.client.workflow.getHandle(handle.workflowId).query<BeadState>('state');
    await assertRowsMatch(ledger.pool, state);
    const rows = await execution(ledger.pool, state.beadId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, handle.firstExecutionRunId);
    assert.equal(rows[0].run_id, latest.runId);
    assert.equal(rows[0].status, 'completed');
  });
});

test('a write retried after it committed (a worker dying before it could answer) duplicates nothing', async () => {
  const ledger = await ledgerOn(pg);
  const real = createLedgerActivities(ledger);
  let failures = 0;
  const flaky: LedgerActivities = {
    async recordBeadProgress(progress) {
      const result = await real.recordBeadProgress(progress);
      if (failures < 3) {
        failures++;
        throw new Error('worker lost after the commit');
      }
      return result;
    },
  };
  const run = new Run();
  const workers = await run.workers(flaky);
  await workers.runUntil(async () => {
    const handle = await run.start({}, { ledger: { retryMaxIntervalMs: 500 } });
    assert.equal((await handle.result()).status, 'completed');
    await assertRowsMatch(ledger.pool, await handle.query<BeadState>('state'));
  });
  assert.equal(failures, 3);
});

test('a worker stopped mid-bead and a new one started: the bead completes, no duplicate rows', async () => {
  const ledger = await ledgerOn(pg);
  const run = new Run();
  const first = await run.workers(createLedgerActivities(ledger));
  const firstRunning = first.run();
  const handle = await run.start({ investigate: ['sleep:2s'] }, { heartbeatTimeoutMs: 2_000 });
  await waitFor(async () => (await execution(ledger.pool, handle.workflowId)).length === 1, {
    timeoutMs: 20_000,
    what: 'the first ledger write',
  });
  first.shutdown();
  await firstRunning;
  const second = await run.workers(createLedgerActivities(ledger));
  await second.runUntil(async () => {
    assert.equal((await handle.result()).status, 'completed');
    await assertRowsMatch(ledger.pool, await handle.query<BeadState>('state'));
  });
  const counts = await ledger.pool.query<{ rows: number; seqs: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT seq)::int AS seqs FROM workflow_execution_history WHERE bead_id = $1',
    [handle.workflowId],
  );
  assert.equal(counts.rows[0].rows, counts.rows[0].seqs);
  assert.equal((await execution(ledger.pool, handle.workflowId)).length, 1);
});

test('the ledger down mid-run: the bead completes anyway, ledgerCatchUp holds the rest, the ledger catches up when back', async () => {
  const own = await startTestPostgres();
  try {
    const ledger = await ledgerOn(own);
    const run = new Run();
    const workers = await run.workers(createLedgerActivities(ledger));
    await workers.runUntil(async () => {
      const handle = await run.start({ investigate: ['sleep:1s'] }, { ledger: { flushTimeoutMs: 1_000, retryMaxIntervalMs: 500 } });
      await waitFor(async () => (await execution(ledger.pool, handle.workflowId)).length === 1, {
        timeoutMs: 20_000,
        what: 'the first ledger write',
      });
      // fast, not immediate: the test cluster runs with synchronous_commit off, so a crash could drop acknowledged rows.
      await own.stop('fast');
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      assert.equal(own.cluster.runningPid(), undefined, 'the ledger must still be down when the bead ends');
      const catchUp = await waitFor(
        async () => {
          for await (const wf of env.client.workflow.list({
            query: `WorkflowType='ledgerCatchUp' AND WorkflowId STARTS_WITH 'ledger-catchup-${handle.firstExecutionRunId}'`,
          }))
            return wf;
          return undefined;
        },
        { timeoutMs: 20_000, what: 'a ledgerCatchUp workflow' },
      );
      assert.equal(catchUp.status.name, 'RUNNING');
      await own.start();
      const state = await handle.query<BeadState>('state');
      await assertRowsMatch(ledger.pool, state);
      const [ex] = await waitFor(
        async () => {
          const rows = await execution(ledger.pool, handle.workflowId);
          return rows[0]?.status === 'completed' ? rows : undefined;
        },
        { timeoutMs: 20_000, what: 'the completed execution row' },
      );
      assert.equal(ex.last_seq, state.history[state.history.length - 1].seq);
      const done = await env.client.workflow.getHandle(catchUp.workflowId).result();
      assert.equal(done.refused, 0);
    });
  } finally {
    await own.teardown();
  }
});

test('a bead cancelled while it waits writes its closing rows itself: no ledgerCatchUp, every row there', async () => {
  const ledger = await ledgerOn(pg);
  const run = new Run();
  const workers = await run.workers(createLedgerActivities(ledger));
  await workers.runUntil(async () => {
    const humanOnly = {
      ...def,
      nodes: def.nodes.map((n) => (n.key === 'review' ? { ...n, approval: { approvers: [], mode: 'human' as const } } : n)),
    };
    const handle = await run.start({}, {}, humanOnly);
    await waitFor(async () => (await execution(ledger.pool, handle.workflowId))[0]?.status === 'waiting_approval', {
      timeoutMs: 20_000,
      what: 'the ledger write at the wait',
    });
    await handle.cancel();
    await assert.rejects(handle.result(), 'the bead ends cancelled');
    const state = await handle.query<BeadState>('state');
    assert.equal(state.status, 'cancelled');
    await assertRowsMatch(ledger.pool, state);
    const [ex] = await execution(ledger.pool, handle.workflowId);
    assert.equal(ex.status, 'cancelled');
    assert.equal(ex.last_seq, state.history[state.history.length - 1].seq);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(
      events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length,
      0,
      'nothing was handed to ledgerCatchUp',
    );
    await saveHistory(env, handle.workflowId, 'ledger-cancelled-while-waiting');
  });
});

test('a worker without a ledger: the bead runs and its ledger writes are acknowledged without a database', async () => {
  const run = new Run();
  const workers = await run.workers(undefined);
  await workers.runUntil(async () => {
    const handle = await run.start({});
    assert.equal((await handle.result()).status, 'completed');
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordBeadProgress').length;
    const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
    const failed = events.filter((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes).length;
    assert.ok(scheduled >= 1, 'the bead should have sent its progress');
    assert.ok(completed >= scheduled);
    assert.equal(failed, 0);
  });
});
