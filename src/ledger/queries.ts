/** Read queries behind the CLI: executions, a bead's history, definitions, analytics (plain SQL). */
import type { Pool } from 'pg';

export interface ExecutionRow {
  id: string;
  bead_id: string;
  title: string;
  /** The definition the execution ran (column `workflow_id`, Loom's name). */
  definition_id: string;
  status: string;
  current_node_key: string;
  cycle_count: number;
  node_attempt_count: number;
  dispatch_count: number;
  last_seq: number;
  started_at: Date;
  completed_at: Date | null;
  escalated_at: Date | null;
  escalation_reason: string | null;
  end_reason: string | null;
}

export type ExecutionFilter = 'all' | 'active' | 'escalated';

export async function listExecutions(
  pool: Pool,
  opts: { filter?: ExecutionFilter; beadId?: string; limit?: number } = {},
): Promise<ExecutionRow[]> {
  const where: string[] = [];
  if (opts.filter === 'active') where.push('e.completed_at IS NULL');
  // Escalated now: waiting for the CEO, or ended on an escalated edge.
  if (opts.filter === 'escalated') where.push(`e.status = 'escalated'`);
  if (opts.beadId) where.push('e.bead_id = $2');
  const { rows } = await pool.query<ExecutionRow>(
    `SELECT e.id, e.bead_id, b.title, e.workflow_id AS definition_id, e.status, e.current_node_key, e.cycle_count, e.node_attempt_count, e.dispatch_count,
       e.last_seq, e.started_at, e.completed_at, e.escalated_at, e.escalation_reason, e.end_reason
     FROM workflow_executions e JOIN beads b ON b.id = e.bead_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY e.started_at DESC LIMIT $1`,
    opts.beadId ? [opts.limit ?? 200, opts.beadId] : [opts.limit ?? 200],
  );
  return rows;
}

export interface HistoryRow {
  execution_id: string;
  seq: number;
  kind: string;
  node_key: string;
  role: string | null;
  agent_id: string | null;
  outcome: string | null;
  condition: string | null;
  to_node_key: string | null;
  attempt_number: number | null;
  dispatch_number: number | null;
  branch: string | null;
  summary: string;
  result_data: Record<string, unknown>;
  started_at: Date | null;
  completed_at: Date;
}

/** Every recorded move of a bead, all its executions, oldest first. */
export async function beadHistory(pool: Pool, beadId: string): Promise<HistoryRow[]> {
  const { rows } = await pool.query<HistoryRow>(
    `SELECT h.execution_id, h.seq, h.kind, h.node_key, h.role, h.agent_id, h.outcome, h.condition, h.to_node_key, h.attempt_number,
       h.dispatch_number, h.branch, h.summary, h.result_data, h.started_at, h.completed_at
     FROM workflow_execution_history h JOIN workflow_executions e ON e.id = h.execution_id
     WHERE h.bead_id = $1 ORDER BY e.started_at, h.seq`,
    [beadId],
  );
  return rows;
}

export interface LedgerDefinitionRow {
  id: string;
  name: string;
  workflow_type: string;
  is_default: boolean;
  definition_hash: string;
  executions: number;
  updated_at: Date;
}

export async function listLedgerDefinitions(pool: Pool): Promise<LedgerDefinitionRow[]> {
  const { rows } = await pool.query<LedgerDefinitionRow>(
    `SELECT w.id, w.name, w.workflow_type, w.is_default, w.definition_hash, w.updated_at,
       (SELECT count(*)::int FROM workflow_executions e WHERE e.workflow_id = w.id) AS executions
     FROM workflows w ORDER BY w.id`,
  );
  return rows;
}

export interface LedgerDefinitionDetail {
  definition: LedgerDefinitionRow & { description: string };
  nodes: Array<{
    node_key: string;
    node_type: string;
    role_required: string;
    max_attempts: number;
    timeout_minutes: string;
    instructions: string;
  }>;
  edges: Array<{ from_node_key: string; to_node_key: string; condition: string; priority: number }>;
}

export async function getLedgerDefinition(pool: Pool, id: string): Promise<LedgerDefinitionDetail | undefined> {
  const { rows } = await pool.query<LedgerDefinitionDetail['definition']>(
    `SELECT w.id, w.name, w.description, w.workflow_type, w.is_default, w.definition_hash, w.updated_at,
       (SELECT count(*)::int FROM workflow_executions e WHERE e.workflow_id = w.id) AS executions
     FROM workflows w WHERE w.id = $1`,
    [id],
  );
  if (!rows[0]) return undefined;
  const nodes = await pool.query<LedgerDefinitionDetail['nodes'][number]>(
    'SELECT node_key, node_type, role_required, max_attempts, timeout_minutes, instructions FROM workflow_nodes WHERE workflow_id = $1 ORDER BY node_key',
    [id],
  );
  const edges = await pool.query<LedgerDefinitionDetail['edges'][number]>(
    'SELECT from_node_key, to_node_key, condition, priority FROM workflow_edges WHERE workflow_id = $1 ORDER BY position',
    [id],
  );
  return { definition: rows[0], nodes: nodes.rows, edges: edges.rows };
}

export interface TypeAnalytics {
  workflow_type: string;
  executions: number;
  finished: number;
  active: number;
  completed: number;
  /** completed / finished (null when none finished). */
  completion_rate: number | null;
  /** executions that escalated at least once / executions. */
  escalation_rate: number;
  /** seconds, over finished executions. */
  avg_duration_s: number | null;
  avg_dispatch_count: number;
  avg_cycle_count: number;
  max_cycle_count: number;
}

export interface Analytics {
  byType: TypeAnalytics[];
  total: TypeAnalytics;
  /** Nodes re-entered most: where beads loop. */
  cycles: Array<{ workflow_type: string; node_key: string; reentries: number; beads: number }>;
  /** Model agents' spending (turns that report usage): per bead type, per role, and the beads that spent most. */
  tokens: {
    byType: TokenRow[];
    byRole: TokenRow[];
    topBeads: TokenRow[];
  };
}

export interface TokenRow {
  /** The bead type, the role, or the bead id. */
  key: string;
  turns: number;
  model_calls: number;
  tool_calls: number;
  total_tokens: number;
}

const TOKEN_COLUMNS = `count(*)::int AS turns,
  COALESCE(sum((h.result_data->'usage'->>'modelCalls')::bigint), 0)::int AS model_calls,
  COALESCE(sum((h.result_data->'usage'->>'toolCalls')::bigint), 0)::int AS tool_calls,
  COALESCE(sum((h.result_data->'usage'->>'totalTokens')::bigint), 0)::float8 AS total_tokens`;

async function tokenAnalytics(pool: Pool): Promise<Analytics['tokens']> {
  const from = `FROM workflow_execution_history h JOIN workflow_executions e ON e.id = h.execution_id JOIN workflows w ON w.id = e.workflow_id
     WHERE h.kind = 'turn' AND h.result_data ? 'usage'`;
  const [byType, byRole, topBeads] = await Promise.all([
    pool.query<TokenRow>(
      `SELECT COALESCE(NULLIF(w.workflow_type, ''), e.workflow_id) AS key, ${TOKEN_COLUMNS} ${from} GROUP BY 1 ORDER BY 1`,
    ),
    pool.query<TokenRow>(`SELECT COALESCE(h.role, '') AS key, ${TOKEN_COLUMNS} ${from} GROUP BY 1 ORDER BY 1`),
    pool.query<TokenRow>(`SELECT h.bead_id AS key, ${TOKEN_COLUMNS} ${from} GROUP BY 1 ORDER BY total_tokens DESC, 1 LIMIT 10`),
  ]);
  return { byType: byType.rows, byRole: byRole.rows, topBeads: topBeads.rows };
}

const TYPE_COLUMNS = `count(*)::int AS executions,
  count(*) FILTER (WHERE e.completed_at IS NOT NULL)::int AS finished,
  count(*) FILTER (WHERE e.completed_at IS NULL)::int AS active,
  count(*) FILTER (WHERE e.status = 'completed')::int AS completed,
  round(count(*) FILTER (WHERE e.status = 'completed')::numeric / NULLIF(count(*) FILTER (WHERE e.completed_at IS NOT NULL), 0), 4)::float8 AS completion_rate,
  round(count(*) FILTER (WHERE e.escalated_at IS NOT NULL)::numeric / count(*), 4)::float8 AS escalation_rate,
  round(avg(extract(epoch FROM e.completed_at - e.started_at)) FILTER (WHERE e.completed_at IS NOT NULL), 3)::float8 AS avg_duration_s,
  round(avg(e.dispatch_count), 3)::float8 AS avg_dispatch_count,
  round(avg(e.cycle_count), 3)::float8 AS avg_cycle_count,
  COALESCE(max(e.cycle_count), 0)::int AS max_cycle_count`;

export async function analytics(pool: Pool): Promise<Analytics> {
  const byType = await pool.query<TypeAnalytics>(
    `SELECT COALESCE(NULLIF(w.workflow_type, ''), e.workflow_id) AS workflow_type, ${TYPE_COLUMNS}
     FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
     GROUP BY 1 ORDER BY 1`,
  );
  const total = await pool.query<TypeAnalytics>(`SELECT 'all' AS workflow_type, ${TYPE_COLUMNS} FROM workflow_executions e`);
  // A move into a node the execution had already entered is one re-entry (one cycle).
  const cycles = await pool.query<Analytics['cycles'][number]>(
    `SELECT workflow_type, node_key, sum(entries - 1)::int AS reentries, count(*)::int AS beads FROM (
       SELECT COALESCE(NULLIF(w.workflow_type, ''), e.workflow_id) AS workflow_type, h.to_node_key AS node_key, h.execution_id, count(*) AS entries
       FROM workflow_execution_history h JOIN workflow_executions e ON e.id = h.execution_id JOIN workflows w ON w.id = e.workflow_id
       WHERE h.kind = 'move' AND h.to_node_key <> '' GROUP BY 1, 2, 3 HAVING count(*) > 1) per
     GROUP BY 1, 2 ORDER BY reentries DESC, 1, 2 LIMIT 20`,
  );
  return { byType: byType.rows, total: total.rows[0], cycles: cycles.rows, tokens: await tokenAnalytics(pool) };
}
