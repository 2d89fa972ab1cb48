/** Beads in the ledger: created for the backlog, listed, shown, and picked in backlog order. */
import type { Pool } from 'pg';
import { newBeadId } from '../shared/ids';
import type { Waiting } from './backlog';
import { BACKLOG_ORDER_SQL, BACKLOG_STATUSES, readyBeads } from './backlog';
import { text } from './sql';
import type { BeadStatus } from '../interpreter/types';
import { beadStatusFor } from './progress';
import { priorityNumber } from './write-progress';

export interface BeadRow {
  id: string;
  title: string;
  description: string;
  type: string;
  status: string;
  priority: number;
  labels: string[];
  parent_id: string | null;
  /** Beads this one waits for: the loop starts it once they are all closed. */
  depends_on: string[];
  source: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface NewBead {
  id?: string;
  title: string;
  description?: string;
  type?: string;
  /** 0-4 or P0-P4. */
  priority?: number | string;
  labels?: string[];
  status?: string;
  parentId?: string;
  dependsOn?: string[];
  source?: string;
  metadata?: Record<string, unknown>;
  createdAt?: Date;
  closedAt?: Date;
}

const COLUMNS =
  'id, title, description, type, status, priority, labels, parent_id, depends_on, source, metadata, created_at, updated_at, closed_at';

/** Inserts a bead (status open unless given); returns the row, or undefined when the id exists. */
export async function insertBead(pool: Pool, b: NewBead): Promise<BeadRow | undefined> {
  const { rows } = await pool.query<BeadRow>(
    `INSERT INTO beads (id, title, description, type, priority, labels, status, source, metadata, created_at, updated_at, closed_at, parent_id, depends_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, now()), now(), $11, $12, $13)
     ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [
      b.id ?? newBeadId(),
      text(b.title),
      text(b.description ?? ''),
      text(b.type ?? ''),
      priorityNumber(b.priority),
      (b.labels ?? []).map((l) => text(l)),
      b.status ?? 'open',
      b.source ?? 'cli',
      JSON.stringify(b.metadata ?? {}),
      b.createdAt ?? null,
      b.closedAt ?? null,
      b.parentId ?? null,
      (b.dependsOn ?? []).map((d) => text(d)),
    ],
  );
  return rows[0];
}

export async function getBead(pool: Pool, id: string): Promise<BeadRow | undefined> {
  const { rows } = await pool.query<BeadRow>(`SELECT ${COLUMNS} FROM beads WHERE id = $1`, [id]);
  return rows[0];
}

export async function listBeads(pool: Pool, opts: { status?: string; limit?: number } = {}): Promise<BeadRow[]> {
  const { rows } = await pool.query<BeadRow>(
    `SELECT ${COLUMNS} FROM beads WHERE ($1::text IS NULL OR status = $1) ORDER BY ${BACKLOG_ORDER} LIMIT $2`,
    [opts.status ?? null, opts.limit ?? 1000],
  );
  return rows;
}

/** The loop's order (backlog.ts): blocked, in review, in progress, open; then P0 first; then oldest. */
export const BACKLOG_ORDER = BACKLOG_ORDER_SQL;

/** Candidates read per look at the backlog: far more than a loop starts between two looks. */
const CANDIDATES = 5000;

/**
 * Beads the backlog loop may start: in a backlog status, never run (no execution row), not in
 * `exclude` (ones this loop already started or skipped), every dependency closed; in backlog
 * order. `waiting`: the ones held back by a dependency.
 */
export async function nextBacklogBeads(
  pool: Pool,
  limit: number,
  exclude: readonly string[] = [],
): Promise<{ beads: BeadRow[]; waiting: Waiting[] }> {
  const { rows } = await pool.query<BeadRow>(
    `SELECT ${COLUMNS} FROM beads b
     WHERE b.status IN (${BACKLOG_STATUSES.map((s) => `'${s}'`).join(', ')}) AND NOT (b.id = ANY($2::text[]))
       AND NOT EXISTS (SELECT 1 FROM workflow_executions e WHERE e.bead_id = b.id)
     ORDER BY ${BACKLOG_ORDER} LIMIT $1`,
    [CANDIDATES, [...exclude]],
  );
  const deps = [...new Set(rows.flatMap((r) => r.depends_on))];
  const statuses = new Map<string, string>();
  if (deps.length) {
    const found = await pool.query<{ id: string; status: string }>('SELECT id, status FROM beads WHERE id = ANY($1::text[])', [deps]);
    for (const r of found.rows) statuses.set(r.id, r.status);
  }
  const { ready, waiting } = readyBeads(rows, (id) => statuses.get(id));
  return { beads: ready.slice(0, limit), waiting };
}

/** The loop's claim: the bead is being started (the run's own writes take over from here). */
export async function markInProgress(pool: Pool, id: string): Promise<void> {
  await pool.query(`UPDATE beads SET status = 'in_progress', updated_at = now() WHERE id = $1 AND status <> 'closed'`, [id]);
}

/**
 * The loop saw the bead's run end: its ledger status follows (as the worker's own ledger writes
 * would; a worker without the ledger writes none), so beads that depend on it can start.
 */
export async function markEnded(pool: Pool, id: string, runStatus: string): Promise<void> {
  const known = ['running', 'waiting_approval', 'escalated', 'completed', 'failed', 'aborted', 'cancelled'];
  // Temporal's words for a run closed under the bead (terminated, timed_out): a person has to look.
  const status = known.includes(runStatus) ? beadStatusFor(runStatus as BeadStatus) : 'blocked';
  await pool.query(
    `UPDATE beads SET status = $2, updated_at = now(), closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, now()) END WHERE id = $1`,
    [id, status],
  );
}

export function priorityLabel(p: number): string {
  return `P${p}`;
}
