/** Beads in the ledger: created for the backlog, listed, shown, and picked in backlog order. */
import type { Pool } from 'pg';
import { newBeadId } from '../shared/ids';
import { text } from './sql';
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
  source?: string;
  metadata?: Record<string, unknown>;
  createdAt?: Date;
  closedAt?: Date;
}

const COLUMNS = 'id, title, description, type, status, priority, labels, parent_id, source, metadata, created_at, updated_at, closed_at';

/** Inserts a bead (status open unless given); returns the row, or undefined when the id exists. */
export async function insertBead(pool: Pool, b: NewBead): Promise<BeadRow | undefined> {
  const { rows } = await pool.query<BeadRow>(
    `INSERT INTO beads (id, title, description, type, priority, labels, status, source, metadata, created_at, updated_at, closed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, now()), now(), $11)
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

/** P0 first; then blocked, in review, in progress, open; then oldest; id breaks ties. */
export const BACKLOG_ORDER = `priority,
  CASE status WHEN 'blocked' THEN 0 WHEN 'in_review' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'open' THEN 3 ELSE 4 END,
  created_at, id`;

/** Statuses the backlog loop works on; others (closed, deferred, ...) stay put. */
export const BACKLOG_STATUSES = ['blocked', 'in_review', 'in_progress', 'open'] as const;

/**
 * Beads the backlog loop may start: in a backlog status, never run (no execution row), not in `exclude`
 * (ones this loop already started or skipped), in backlog order.
 */
export async function nextBacklogBeads(pool: Pool, limit: number, exclude: readonly string[] = []): Promise<BeadRow[]> {
  const { rows } = await pool.query<BeadRow>(
    `SELECT ${COLUMNS} FROM beads b
     WHERE b.status IN (${BACKLOG_STATUSES.map((s) => `'${s}'`).join(', ')}) AND NOT (b.id = ANY($2::text[]))
       AND NOT EXISTS (SELECT 1 FROM workflow_executions e WHERE e.bead_id = b.id)
     ORDER BY ${BACKLOG_ORDER} LIMIT $1`,
    [limit, [...exclude]],
  );
  return rows;
}

/** The loop's claim: the bead is being started (the run's own writes take over from here). */
export async function markInProgress(pool: Pool, id: string): Promise<void> {
  await pool.query(`UPDATE beads SET status = 'in_progress', updated_at = now() WHERE id = $1 AND status <> 'closed'`, [id]);
}

export function priorityLabel(p: number): string {
  return `P${p}`;
}
