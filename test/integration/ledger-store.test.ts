/**
 * The ledger against a real PostgreSQL, no Temporal: migrations, idempotent writes, the snapshot
 * guard, bead status, backlog order, and analytics on a known set of runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pool } from 'pg';
import { parseBdJsonl } from '../../src/ledger/bd-import';
import { importBdBeads } from '../../src/ledger/bd-merge';
import { getBead, insertBead, nextBacklogBeads } from '../../src/ledger/beads';
import { createPool } from '../../src/ledger/connect';
import { MIGRATIONS_DIR, loadMigrations, migrate } from '../../src/ledger/migrate';
import type { BeadProgress, ExecutionSnapshot } from '../../src/ledger/progress';
import { analytics } from '../../src/ledger/queries';
import { recordProgress } from '../../src/ledger/write-progress';
import type { HistoryEntry } from '../../src/interpreter/types';
import { definition, node } from '../fixtures/definitions';
import type { TestPostgres } from '../helpers/postgres';
import { startTestPostgres } from '../helpers/postgres';

let pg: TestPostgres;
const pools: Pool[] = [];

async function freshPool(migrated = true): Promise<Pool> {
  const pool = createPool(await pg.createDatabase());
  pools.push(pool);
  if (migrated) await migrate(pool);
  return pool;
}

before(async () => {
  pg = await startTestPostgres();
});

after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pg?.teardown();
});

const def = definition(
  [node('investigate'), node('review', 'approval'), node('fix')],
  [
    ['', 'investigate', 'success'],
    ['investigate', 'review', 'success'],
    ['review', 'fix', 'approved'],
    ['review', 'investigate', 'rejected'],
    ['fix', '', 'success'],
  ],
);

function snapshot(over: Partial<ExecutionSnapshot> = {}): ExecutionSnapshot {
  return {
    executionId: 'exec-1',
    beadId: 'bead-1',
    definitionId: def.id,
    runId: 'run-1',
    status: 'running',
    currentNodeKey: 'investigate',
    cycleCount: 0,
    nodeAttemptCount: 1,
    dispatchCount: 1,
    lastSeq: 2,
    startedAt: Date.UTC(2025, 0, 1, 10, 0, 0),
    ...over,
  };
}

function entries(from: number, to: number): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (let seq = from; seq <= to; seq++) {
    out.push({
      seq,
      kind: 'move',
      node: seq === 1 ? '' : 'investigate',
      to: 'review',
      condition: 'success',
      endedAt: Date.UTC(2025, 0, 1, 10, 0, seq),
      summary: `move ${seq}`,
    });
  }
  return out;
}

const bead = { id: 'bead-1', title: 'Crash on save', type: 'bug', description: 'it crashes', priority: 'P1' as const, labels: ['ui'] };

describe('migrations', () => {
  test('apply from empty, then re-run as a no-op', async () => {
    const pool = await freshPool(false);
    const first = await migrate(pool);
    assert.deepEqual(
      first.applied,
      loadMigrations().map((m) => m.name),
    );
    const again = await migrate(pool);
    assert.deepEqual(again.applied, []);
    const { rows } = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    assert.deepEqual(
      rows.map((r: { table_name: string }) => r.table_name),
      [
        'beadflow_migrations',
        'beads',
        'workflow_edges',
        'workflow_execution_history',
        'workflow_executions',
        'workflow_nodes',
        'workflows',
      ],
    );
    const views = await pool.query(`SELECT table_name FROM information_schema.views WHERE table_schema = 'public' ORDER BY 1`);
    assert.deepEqual(
      views.rows.map((r: { table_name: string }) => r.table_name),
      ['definition_edges', 'definition_nodes', 'definitions', 'executions'],
    );
  });

  test('two workers migrating at once take turns (advisory lock): each migration applied once', async () => {
    const pool = await freshPool(false);
    const other = createPool(pg.url((await pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db));
    pools.push(other);
    const [a, b] = await Promise.all([migrate(pool), migrate(other)]);
    assert.deepEqual(
      [...a.applied, ...b.applied].sort(),
      loadMigrations()
        .map((m) => m.name)
        .sort(),
    );
  });

  test('an applied migration that was edited is refused', async () => {
    const pool = await freshPool();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-migrations-'));
    for (const m of loadMigrations()) writeFileSync(path.join(dir, m.name), m.sql);
    const first = loadMigrations()[0].name;
    writeFileSync(path.join(dir, first), `${readFileSync(path.join(MIGRATIONS_DIR, first), 'utf8')}\n-- edited\n`);
    await assert.rejects(migrate(pool, loadMigrations(dir)), /changed after it was applied/);
  });
});

describe('writes', () => {
  test('a replayed batch inserts nothing; the rows stay exactly as first written', async () => {
    const pool = await freshPool();
    const batch: BeadProgress = { execution: snapshot(), entries: entries(1, 2), bead, definition: def };
    assert.equal((await recordProgress(pool, batch)).inserted, 2);
    assert.equal((await recordProgress(pool, batch)).inserted, 0);
    const { rows } = await pool.query('SELECT seq, summary, node_key, to_node_key, condition FROM workflow_execution_history ORDER BY seq');
    assert.deepEqual(rows, [
      { seq: 1, summary: 'move 1', node_key: '', to_node_key: 'review', condition: 'success' },
      { seq: 2, summary: 'move 2', node_key: 'investigate', to_node_key: 'review', condition: 'success' },
    ]);
    const nodes = await pool.query('SELECT node_key, node_type, role_required FROM workflow_nodes ORDER BY node_key');
    assert.deepEqual(
      nodes.rows.map((n: { node_key: string }) => n.node_key),
      ['fix', 'investigate', 'review'],
    );
    const edges = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_edges');
    assert.equal(edges.rows[0].n, def.edges.length);
  });

  test("beadflow's names over Loom's tables: definitions, definition_nodes, definition_edges, executions; a snapshot from before the rename still lands", async () => {
    const pool = await freshPool();
    const legacy = {
      ...snapshot({ executionId: 'exec-legacy', beadId: 'bead-legacy' }),
      definitionId: undefined,
      workflowId: def.id,
    } as unknown as ExecutionSnapshot;
    await recordProgress(pool, { execution: snapshot(), entries: entries(1, 2), bead, definition: def });
    await recordProgress(pool, { execution: legacy, entries: entries(1, 1) });
    const executions = await pool.query('SELECT id, definition_id FROM executions ORDER BY id');
    assert.deepEqual(executions.rows, [
      { id: 'exec-1', definition_id: def.id },
      { id: 'exec-legacy', definition_id: def.id },
    ]);
    const defs = await pool.query('SELECT id FROM definitions');
    assert.deepEqual(defs.rows, [{ id: def.id }]);
    const nodes = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM definition_nodes WHERE definition_id = $1', [def.id]);
    assert.equal(nodes.rows[0].n, def.nodes.length);
    const edges = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM definition_edges WHERE definition_id = $1', [def.id]);
    assert.equal(edges.rows[0].n, def.edges.length);
  });

  test('an older snapshot arriving late never moves the execution backwards', async () => {
    const pool = await freshPool();
    await recordProgress(pool, {
      execution: snapshot({ lastSeq: 5, status: 'waiting_approval', currentNodeKey: 'review', dispatchCount: 2 }),
      entries: entries(1, 5),
      bead,
      definition: def,
    });
    await recordProgress(pool, {
      execution: snapshot({ lastSeq: 2, status: 'running', currentNodeKey: 'investigate', dispatchCount: 1 }),
      entries: entries(1, 2),
    });
    const { rows } = await pool.query('SELECT status, current_node_key, last_seq FROM workflow_executions');
    assert.deepEqual(rows, [{ status: 'waiting_approval', current_node_key: 'review', last_seq: 5 }]);
    const b = await pool.query('SELECT status, title FROM beads');
    assert.deepEqual(b.rows, [{ status: 'in_review', title: 'Crash on save' }]);
  });

  test('the end closes the bead; NUL characters from an agent are stripped, not refused', async () => {
    const pool = await freshPool();
    const end = Date.UTC(2025, 0, 1, 10, 5, 0);
    const last: HistoryEntry = {
      seq: 3,
      kind: 'turn',
      node: 'fix',
      role: 'QA Engineer',
      actor: 'scripted',
      outcome: 'success',
      attempt: 1,
      dispatch: 1,
      startedAt: end - 1000,
      endedAt: end,
      summary: 'fixed\u0000it',
    };
    await recordProgress(pool, {
      execution: snapshot({
        lastSeq: 3,
        status: 'completed',
        currentNodeKey: 'fix',
        completedAt: end,
        endReason: 'fix ended the run on success',
      }),
      entries: [...entries(1, 2), last],
      bead,
      definition: def,
    });
    const b = await pool.query<{ status: string; closed_at: Date }>('SELECT status, closed_at FROM beads');
    assert.equal(b.rows[0].status, 'closed');
    assert.equal(b.rows[0].closed_at.getTime(), end);
    const h = await pool.query('SELECT summary, agent_id, role, attempt_number, started_at FROM workflow_execution_history WHERE seq = 3');
    assert.deepEqual(h.rows, [
      { summary: 'fixedit', agent_id: 'scripted', role: 'QA Engineer', attempt_number: 1, started_at: new Date(end - 1000) },
    ]);
  });
});

test('backlog order: blocked, in review, in progress, open, then P0 first, then oldest; closed and run beads left out', async () => {
  const pool = await freshPool();
  const at = (min: number) => new Date(Date.UTC(2025, 0, 1, 0, min));
  const rows: Array<[string, number, string, number]> = [
    ['p2-open-old', 2, 'open', 1],
    ['p2-open-new', 2, 'open', 9],
    ['p2-blocked', 2, 'blocked', 8],
    ['p2-progress', 2, 'in_progress', 7],
    ['p2-review', 2, 'in_review', 6],
    ['p0-open', 0, 'open', 5],
    ['p1-closed', 1, 'closed', 0],
    ['p3-deferred', 3, 'deferred', 0],
    ['p4-open', 4, 'open', 0],
  ];
  for (const [id, priority, status, min] of rows) await insertBead(pool, { id, title: id, priority, status, createdAt: at(min) });
  // bead-1 gets an execution: a bead that has run is not started again.
  await insertBead(pool, { id: 'bead-1', title: 'ran', priority: 0 });
  await recordProgress(pool, { execution: snapshot(), entries: entries(1, 1), definition: def });
  const next = await nextBacklogBeads(pool, 20, ['p4-open']);
  assert.deepEqual(
    next.beads.map((b) => b.id),
    ['p2-blocked', 'p2-review', 'p2-progress', 'p0-open', 'p2-open-old', 'p2-open-new'],
  );
});

test('bd re-import: updates what it imported, leaves other beads, names unknown dependencies; dependents wait', async () => {
  const pool = await freshPool();
  await insertBead(pool, { id: 'mine', title: 'made here', source: 'cli' });
  const first = parseBdJsonl(
    [
      JSON.stringify({ id: 'bd-1', title: 'Base', priority: 3 }),
      JSON.stringify({ id: 'bd-2', title: 'On top', priority: 0, dependencies: [{ depends_on_id: 'bd-1', type: 'blocks' }] }),
      JSON.stringify({ id: 'mine', title: 'bd has it too' }),
    ].join('\n'),
  );
  const r1 = await importBdBeads(pool, first.beads);
  assert.deepEqual([r1.imported, r1.foreign, r1.unknownDependencies], [['bd-1', 'bd-2'], ['mine'], []]);
  assert.deepEqual(
    (await nextBacklogBeads(pool, 10)).beads.map((b) => b.id),
    ['mine', 'bd-1'],
  );
  const second = parseBdJsonl(
    [
      JSON.stringify({ id: 'bd-1', title: 'Base', priority: 3, status: 'closed' }),
      JSON.stringify({
        id: 'bd-2',
        title: 'On top, renamed',
        priority: 0,
        dependencies: [{ depends_on_id: 'bd-1' }, { depends_on_id: 'bd-9' }],
      }),
    ].join('\n'),
  );
  const r2 = await importBdBeads(pool, second.beads);
  assert.deepEqual([r2.imported, r2.updated, r2.unknownDependencies], [[], ['bd-1', 'bd-2'], ['bd-9']]);
  assert.equal((await getBead(pool, 'bd-2'))?.title, 'On top, renamed');
  assert.equal((await getBead(pool, 'mine'))?.title, 'made here');
  const next = await nextBacklogBeads(pool, 10);
  assert.deepEqual(
    [next.beads.map((b) => b.id), next.waiting],
    [['mine'], [{ beadId: 'bd-2', on: [{ beadId: 'bd-9', status: 'missing' }] }]],
  );
  assert.deepEqual((await importBdBeads(pool, second.beads)).unchanged, ['bd-1', 'bd-2']);
});

test('analytics on a known set of runs', async () => {
  const pool = await freshPool();
  const bugDef = { ...def, id: 'bug-def', workflowType: 'bug' };
  const featureDef = { ...def, id: 'feature-def', workflowType: 'feature' };
  const t0 = Date.UTC(2025, 0, 1, 10, 0, 0);
  const run = async (id: string, d: typeof def, over: Partial<ExecutionSnapshot>, moves: string[] = []) => {
    const history: HistoryEntry[] = moves.map((to, i) => ({
      seq: i + 1,
      kind: 'move',
      node: i ? moves[i - 1] : '',
      to,
      condition: 'success',
      endedAt: t0 + i,
      summary: '',
    }));
    await recordProgress(pool, {
      execution: snapshot({ executionId: `exec-${id}`, beadId: id, definitionId: d.id, lastSeq: history.length, ...over }),
      entries: history,
      bead: { ...bead, id },
      definition: d,
    });
  };
  // bug: completed in 60 s (4 dispatches, 1 cycle through investigate), completed in 120 s (2), failed after escalating (6), one still running.
  await run('b1', bugDef, { status: 'completed', completedAt: t0 + 60_000, dispatchCount: 4, cycleCount: 1 }, [
    'investigate',
    'review',
    'investigate',
    'review',
    'fix',
  ]);
  await run('b2', bugDef, { status: 'completed', completedAt: t0 + 120_000, dispatchCount: 2 }, ['investigate', 'fix']);
  await run('b3', bugDef, {
    status: 'failed',
    completedAt: t0 + 30_000,
    dispatchCount: 6,
    cycleCount: 2,
    escalatedAt: t0 + 20_000,
    escalationReason: 'attempts: x',
  });
  await run('b4', bugDef, { status: 'running', dispatchCount: 1 });
  // feature: one escalated, still open.
  await run('f1', featureDef, { status: 'escalated', dispatchCount: 3, escalatedAt: t0 + 5_000, escalationReason: 'cycles: y' });
  const a = await analytics(pool);
  const bug = a.byType.find((t) => t.workflow_type === 'bug')!;
  assert.deepEqual(
    { ...bug },
    {
      workflow_type: 'bug',
      executions: 4,
      finished: 3,
      active: 1,
      completed: 2,
      completion_rate: 0.6667,
      escalation_rate: 0.25,
      avg_duration_s: 70,
      avg_dispatch_count: 3.25,
      avg_cycle_count: 0.75,
      max_cycle_count: 2,
    },
  );
  const feature = a.byType.find((t) => t.workflow_type === 'feature')!;
  assert.equal(feature.completion_rate, null);
  assert.equal(feature.escalation_rate, 1);
  assert.equal(a.total.executions, 5);
  assert.equal(a.total.escalation_rate, 0.4);
  assert.deepEqual(a.cycles, [
    { workflow_type: 'bug', node_key: 'investigate', reentries: 1, beads: 1 },
    { workflow_type: 'bug', node_key: 'review', reentries: 1, beads: 1 },
  ]);
});

test('analytics: model tokens and calls per bead type, per role, per bead', async () => {
  const pool = await freshPool();
  const t0 = Date.UTC(2025, 0, 1, 10, 0, 0);
  const turn = (seq: number, role: string, totalTokens: number, toolCalls: number): HistoryEntry => ({
    seq,
    kind: 'turn',
    node: 'fix',
    role,
    actor: 'llm:openai-compatible:m',
    outcome: 'success',
    endedAt: t0 + seq,
    summary: '',
    usage: { modelCalls: toolCalls + 1, toolCalls, inputTokens: totalTokens - 10, outputTokens: 10, totalTokens },
  });
  const bugDef = { ...def, id: 'bug-def', workflowType: 'bug' };
  const record = (id: string, history: HistoryEntry[]) =>
    recordProgress(pool, {
      execution: snapshot({ executionId: `exec-${id}`, beadId: id, definitionId: bugDef.id, lastSeq: history.length }),
      entries: history,
      bead: { ...bead, id },
      definition: bugDef,
    });
  await record('t1', [turn(1, 'Software Engineer', 1_000, 3), turn(2, 'QA Engineer', 200, 0)]);
  await record('t2', [
    turn(1, 'Software Engineer', 5_000, 9),
    { seq: 2, kind: 'move', node: 'fix', to: '', condition: 'success', endedAt: t0, summary: '' },
  ]);
  const { tokens } = await analytics(pool);
  assert.deepEqual(tokens.byType, [{ key: 'bug', turns: 3, model_calls: 15, tool_calls: 12, total_tokens: 6_200 }]);
  assert.deepEqual(tokens.byRole, [
    { key: 'QA Engineer', turns: 1, model_calls: 1, tool_calls: 0, total_tokens: 200 },
    { key: 'Software Engineer', turns: 2, model_calls: 14, tool_calls: 12, total_tokens: 6_000 },
  ]);
  assert.deepEqual(
    tokens.topBeads.map((b) => [b.key, b.total_tokens]),
    [
      ['t2', 5_000],
      ['t1', 1_200],
    ],
  );
});
