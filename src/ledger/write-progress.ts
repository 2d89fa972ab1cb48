/**
 * Writes one batch from a bead's workflow, in one transaction. Safe to repeat: history rows are
 * keyed by (execution id, seq) with ON CONFLICT DO NOTHING, and the execution snapshot replaces
 * the stored one only if it is not older (last_seq, then dispatch_count). The bead's status
 * follows its latest execution.
 */
import type { Pool, PoolClient } from 'pg';
import { upsertDefinition } from './definitions';
import type { BeadProgress, ExecutionSnapshot, LedgerBead, RecordResult } from './progress';
import { beadStatusFor } from './progress';
import { jsonParam, text, time } from './sql';

export async function recordProgress(pool: Pool, p: BeadProgress): Promise<RecordResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await write(client, p);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The execution's definition id, also from snapshots sent before the field was renamed. */
function definitionIdOf(ex: ExecutionSnapshot): string {
  return ex.definitionId ?? ex.workflowId ?? '';
}

async function write(client: PoolClient, p: BeadProgress): Promise<RecordResult> {
  const ex = p.execution;
  if (p.definition) await upsertDefinition(client, p.definition);
  else await client.query('INSERT INTO workflows (id) VALUES ($1) ON CONFLICT DO NOTHING', [definitionIdOf(ex)]);
  if (p.bead) await upsertBead(client, p.bead);
  else await client.query(`INSERT INTO beads (id, source) VALUES ($1, 'run') ON CONFLICT DO NOTHING`, [ex.beadId]);
  if (await upsertExecution(client, ex)) await followExecution(client, ex);
  const inserted = await insertHistory(client, p);
  const lastEntry = p.entries.length ? p.entries[p.entries.length - 1].seq : 0;
  return { ackedSeq: Math.max(lastEntry, ex.lastSeq), inserted, written: true };
}

/** The run's view of the bead wins: it is what actually ran. */
async function upsertBead(client: PoolClient, b: LedgerBead): Promise<void> {
  await client.query(
    `INSERT INTO beads (id, title, description, type, priority, labels, parent_id, source, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'run', 'in_progress')
     ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description, type = EXCLUDED.type,
       priority = EXCLUDED.priority, labels = EXCLUDED.labels, parent_id = COALESCE(EXCLUDED.parent_id, beads.parent_id), updated_at = now()`,
    [
      b.id,
      text(b.title),
      text(b.description),
      text(b.type),
      priorityNumber(b.priority),
      (b.labels ?? []).map((l) => text(l)),
      b.parentId ?? null,
    ],
  );
}

/** True when the snapshot was stored (new, or not older than the stored one). */
async function upsertExecution(client: PoolClient, ex: ExecutionSnapshot): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO workflow_executions (id, bead_id, workflow_id, run_id, status, current_node_key, cycle_count, node_attempt_count,
       dispatch_count, last_seq, started_at, completed_at, escalated_at, escalation_reason, end_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (id) DO UPDATE SET run_id = EXCLUDED.run_id, status = EXCLUDED.status, current_node_key = EXCLUDED.current_node_key,
       cycle_count = EXCLUDED.cycle_count, node_attempt_count = EXCLUDED.node_attempt_count, dispatch_count = EXCLUDED.dispatch_count,
       last_seq = EXCLUDED.last_seq, started_at = LEAST(workflow_executions.started_at, EXCLUDED.started_at),
       completed_at = EXCLUDED.completed_at, escalated_at = EXCLUDED.escalated_at, escalation_reason = EXCLUDED.escalation_reason,
       end_reason = EXCLUDED.end_reason, updated_at = now()
     WHERE (workflow_executions.last_seq, workflow_executions.dispatch_count) <= (EXCLUDED.last_seq, EXCLUDED.dispatch_count)`,
    [
      ex.executionId,
      ex.beadId,
      definitionIdOf(ex),
      ex.runId,
      ex.status,
      text(ex.currentNodeKey),
      ex.cycleCount,
      ex.nodeAttemptCount,
      ex.dispatchCount,
      ex.lastSeq,
      time(ex.startedAt),
      time(ex.completedAt),
      time(ex.escalatedAt),
      text(ex.escalationReason),
      text(ex.endReason),
    ],
  );
  return (rowCount ?? 0) > 0;
}

/** The bead's status follows its latest execution (an older run's late write leaves it alone). */
async function followExecution(client: PoolClient, ex: ExecutionSnapshot): Promise<void> {
  const status = beadStatusFor(ex.status);
  await client.query(
    `UPDATE beads SET status = $2, updated_at = now(), closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, $3, now()) END
     WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM workflow_executions e WHERE e.bead_id = $1 AND e.id <> $4 AND e.started_at > $5)`,
    [ex.beadId, status, time(ex.completedAt), ex.executionId, time(ex.startedAt)],
  );
}

async function insertHistory(client: PoolClient, p: BeadProgress): Promise<number> {
  if (p.entries.length === 0) return 0;
  const { rowCount } = await client.query(
    `INSERT INTO workflow_execution_history (execution_id, seq, bead_id, kind, node_key, role, agent_id, outcome, condition, to_node_key,
       attempt_number, dispatch_number, branch, summary, result_data, started_at, completed_at)
     SELECT $1, e.seq, $2, e.kind, COALESCE(e.node, ''), e.role, e.actor, e.outcome, e.condition, e."to", e.attempt, e.dispatch, e.branch,
       COALESCE(e.summary, ''), r.value, to_timestamp(e."startedAt" / 1000.0), to_timestamp(e."endedAt" / 1000.0)
     FROM jsonb_array_elements($3::jsonb) AS r(value),
       jsonb_to_record(r.value) AS e(seq int, kind text, node text, role text, actor text, outcome text, condition text, "to" text,
         attempt int, dispatch int, branch text, summary text, "startedAt" double precision, "endedAt" double precision)
     ON CONFLICT (execution_id, seq) DO NOTHING`,
    [p.execution.executionId, p.execution.beadId, jsonParam(p.entries)],
  );
  return rowCount ?? 0;
}

export function priorityNumber(priority: string | number | undefined): number {
  if (typeof priority === 'number') return Math.min(4, Math.max(0, Math.round(priority)));
  const m = /^P?([0-4])$/i.exec(String(priority ?? '').trim());
  return m ? Number(m[1]) : 2;
}
