/**
 * Subworkflow nodes on a real Temporal dev server: the child bead runs under its own id (status,
 * search attributes, ledger), its end routes the parent, and cancelling the parent cancels it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLedgerActivities } from '../../src/activities/ledger';
import { beadStatus } from '../../src/client/status';
import { cancelBead } from '../../src/client/cancel';
import type { ResolvedDefinition } from '../../src/dsl/types';
import { createPool } from '../../src/ledger/connect';
import { migrate } from '../../src/ledger/migrate';
import { BEAD_ID } from '../../src/shared/search-attributes';
import type { BeadResult } from '../../src/workflows/bead';
import { BeadHarness, moves, state, waitForState } from '../helpers/beads';
import { saveHistory } from '../helpers/histories';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { startTestEnv, waitFor } from '../helpers/temporal';
import { definition, node, type EdgeSpec } from '../fixtures/definitions';

/** One task; its failure ends the child `failed` (without that edge it would escalate and wait for the CEO). */
const child = definition(
  [node('work', 'task', { maxAttempts: 1 })],
  [
    ['', 'work', 'success'],
    ['work', '', 'success'],
    ['work', '', 'failure'],
  ],
  { id: 'child', workflowType: 'child-type' },
);
const parkedChild = definition(
  [node('wait', 'approval', { approval: { approvers: [], mode: 'human' } })],
  [
    ['', 'wait', 'success'],
    ['wait', '', 'approved'],
    ['wait', '', 'rejected'],
  ],
  { id: 'parked' },
);

/** start → sub (runs the child) → end; sub's failure goes to "fix" unless `failureEdge` is false. */
function parent(childDef: ResolvedDefinition, failureEdge = true): ResolvedDefinition {
  return definition(
    [node('sub', 'subworkflow', { role: '', subworkflow: { definition: childDef.id }, maxAttempts: 1 }), node('fix', 'task')],
    [
      ['', 'sub', 'success'],
      ['sub', '', 'success'],
      ...(failureEdge ? [['sub', 'fix', 'failure'] satisfies EdgeSpec] : []),
      ['fix', '', 'success'],
    ],
    { id: 'parent', subworkflows: { [childDef.id]: childDef } },
  );
}

const childIdOf = (parentId: string) => `${parentId}/sub/sub/1`;
/** A cancelled bead waits out the ledger's flush bound (10 s) before it closes, parent and child in turn: keep it short. */
const quickClose = { ledger: { flushTimeoutMs: 500 } };

describe('subworkflow nodes', () => {
  let env: TestWorkflowEnvironment;
  let pg: TestPostgres;
  before(async () => {
    [env, pg] = await Promise.all([startTestEnv(), startTestPostgres()]);
  });
  after(async () => {
    await env?.teardown();
    await pg?.teardown();
  });

  test('the child bead runs its own turns under its own id, visible in status, and the parent completes', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(parent(child));
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      const parentState = await state(handle);
      assert.deepEqual(moves(parentState), ['^>sub:success', 'sub>$:success']);
      const childId = childIdOf(handle.workflowId);
      assert.ok(
        parentState.history.some((e) => e.kind === 'turn' && e.node === 'sub' && e.actor === childId && e.outcome === 'success'),
        'the parent records the child bead as the node’s actor',
      );
      const childHandle = env.client.workflow.getHandle(childId);
      const described = await childHandle.describe();
      assert.equal(described.type, 'beadWorkflow');
      assert.equal(described.parentExecution?.workflowId, handle.workflowId);
      assert.equal(described.typedSearchAttributes.get(BEAD_ID), childId, 'the Web UI finds the child by its BeadId');
      const childResult = (await childHandle.result()) as BeadResult;
      assert.equal(childResult.status, 'completed');
      assert.deepEqual(h.turnsOf(childId), ['work:success']);
      assert.deepEqual(h.turnsOf(handle.workflowId), [], 'the parent dispatches no agent turn of its own');
      // What `beadflow status <child>` shows.
      const status = await beadStatus(env.client, childId);
      assert.equal(status.source, 'query');
      if (status.source === 'query') {
        assert.equal(status.state.beadId, childId);
        assert.equal(status.state.definitionId, 'child');
        assert.equal(status.state.status, 'completed');
        assert.deepEqual(moves(status.state), ['^>work:success', 'work>$:success']);
      }
      await saveHistory(env, handle.workflowId, 'subworkflow-child-completes');
      await saveHistory(env, childId, 'subworkflow-child-completes-child');
    });
  });

  test("a failed child routes the parent's failure edge", async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(parent(child), { scenario: { work: ['failure'] } });
      assert.equal((await handle.result()).status, 'completed');
      assert.deepEqual(moves(await state(handle)), ['^>sub:success', 'sub>fix:failure', 'fix>$:success']);
      const childId = childIdOf(handle.workflowId);
      const childResult = (await env.client.workflow.getHandle(childId).result()) as BeadResult;
      assert.equal(childResult.status, 'failed');
      assert.deepEqual(h.turnsOf(childId), ['work:failure']);
      assert.deepEqual(h.turnsOf(handle.workflowId), ['fix:success']);
    });
  });

  test('a failed child with no failure edge on the node escalates the parent', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(parent(child, false), { scenario: { work: ['failure'] }, options: quickClose });
      const s = await waitForState(handle, (x) => x.status === 'escalated', 'the parent escalated');
      assert.equal(s.currentNode, 'sub');
      assert.equal(((await env.client.workflow.getHandle(childIdOf(handle.workflowId)).result()) as BeadResult).status, 'failed');
      await cancelBead(env.client, handle.workflowId, 'test', 'done');
    });
  });

  test('cancelling the parent cancels the child', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(parent(parkedChild), { options: quickClose });
      const childHandle = env.client.workflow.getHandle(childIdOf(handle.workflowId));
      await waitForState(childHandle, (s) => s.status === 'waiting_approval', 'the child bead waits for a decision');
      const { temporalStatus } = await cancelBead(env.client, handle.workflowId, 'test', 'no longer needed');
      assert.equal(temporalStatus, 'CANCELLED');
      const closed = await waitFor(
        async () => {
          const d = await childHandle.describe();
          return d.status.name !== 'RUNNING' ? d : undefined;
        },
        { what: 'the child bead closed', timeoutMs: 20_000 },
      );
      assert.equal(closed.status.name, 'CANCELLED');
      assert.equal((await state(childHandle)).status, 'cancelled');
      // The parent closed only after the child's cancellation finished: its history records that end.
      const events = (await handle.fetchHistory()).events ?? [];
      assert.ok(
        events.some((e) => e.childWorkflowExecutionCanceledEventAttributes?.workflowExecution?.workflowId === childHandle.workflowId),
        "the parent's history records the child's cancellation",
      );
      assert.equal((await state(handle)).status, 'cancelled');
      await saveHistory(env, handle.workflowId, 'subworkflow-parent-cancelled');
    });
  });

  test('with a ledger, the child bead has its own rows, linked to its parent', async (t) => {
    const pool = createPool(await pg.createDatabase());
    t.after(() => pool.end().catch(() => undefined));
    await migrate(pool);
    const h = new BeadHarness(env);
    const workers = await h.workers({ workflowQueueActivities: createLedgerActivities({ pool, where: 'test', close: () => pool.end() }) });
    await workers.runUntil(async () => {
      const handle = await h.start(parent(child));
      assert.equal((await handle.result()).status, 'completed');
      const childId = childIdOf(handle.workflowId);
      const rows = await waitFor(
        async () => {
          const r = await pool.query<{ id: string; parent_id: string | null; status: string; type: string }>(
            'SELECT id, parent_id, status, type FROM beads WHERE id = ANY($1) ORDER BY id',
            [[handle.workflowId, childId]],
          );
          return r.rows.length === 2 && r.rows.every((b) => b.status === 'closed') ? r.rows : undefined;
        },
        { what: 'both beads closed in the ledger', timeoutMs: 20_000 },
      );
      assert.deepEqual(rows, [
        { id: handle.workflowId, parent_id: null, status: 'closed', type: 'test' },
        { id: childId, parent_id: handle.workflowId, status: 'closed', type: 'child-type' },
      ]);
      const ex = await pool.query('SELECT workflow_id, status FROM workflow_executions WHERE bead_id = $1', [childId]);
      assert.deepEqual(ex.rows, [{ workflow_id: 'child', status: 'completed' }]);
      const history = await pool.query('SELECT node_key, outcome FROM workflow_execution_history WHERE bead_id = $1 AND kind = $2', [
        childId,
        'turn',
      ]);
      assert.deepEqual(history.rows, [{ node_key: 'work', outcome: 'success' }]);
    });
  });
});
