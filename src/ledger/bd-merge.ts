/**
 * Importing bd's issues again updates the beads it imported before instead of leaving them stale:
 * what a person edits in bd (title, description, type, priority, labels, dependencies) wins.
 * The status is bd's only while beadflow has not run the bead; after a run the run's status
 * stands (a stale export must not reopen finished work), except that closing in bd closes it.
 * Beads that did not come from bd (same id, created here) are never overwritten.
 */
import type { Pool } from 'pg';
import type { BeadRow, NewBead } from './beads';
import { getBead, insertBead } from './beads';
import { jsonParam, text } from './sql';
import { priorityNumber } from './write-progress';

export type ImportAction =
  | { kind: 'insert' }
  | { kind: 'update'; fields: string[]; row: Omit<BeadRow, 'id' | 'created_at' | 'updated_at' | 'parent_id' | 'source'> }
  | { kind: 'unchanged' }
  | { kind: 'foreign'; source: string };

export function importAction(incoming: NewBead, existing: BeadRow | undefined, hasRun: boolean): ImportAction {
  if (!existing) return { kind: 'insert' };
  if (existing.source !== 'bd') return { kind: 'foreign', source: existing.source };
  const bdStatus = incoming.status ?? 'open';
  const status = !hasRun || bdStatus === 'closed' ? bdStatus : existing.status;
  const row = {
    title: clean(incoming.title),
    description: clean(incoming.description ?? ''),
    type: clean(incoming.type ?? ''),
    priority: priorityNumber(incoming.priority),
    labels: (incoming.labels ?? []).map(clean),
    depends_on: (incoming.dependsOn ?? []).map(clean),
    metadata: JSON.parse(jsonParam(incoming.metadata ?? {})) as Record<string, unknown>,
    status,
    closed_at: status === 'closed' ? (existing.closed_at ?? incoming.closedAt ?? new Date()) : null,
  };
  const fields = (Object.keys(row) as Array<keyof typeof row>).filter(
    (k) => k !== 'closed_at' && canonical(row[k]) !== canonical(existing[k]),
  );
  return fields.length ? { kind: 'update', fields, row } : { kind: 'unchanged' };
}

const clean = (v: string) => text(v) ?? '';

/** JSON with sorted keys: jsonb gives keys back in its own order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

export interface ImportSummary {
  imported: string[];
  updated: string[];
  unchanged: string[];
  /** Ids already used by beads not from bd: left as they are. */
  foreign: string[];
  /** Dependencies on ids neither in the file nor in the ledger: those beads wait until such a bead exists and closes. */
  unknownDependencies: string[];
}

export async function importBdBeads(pool: Pool, beads: readonly NewBead[]): Promise<ImportSummary> {
  const out: ImportSummary = { imported: [], updated: [], unchanged: [], foreign: [], unknownDependencies: [] };
  for (const b of beads) {
    const id = b.id!;
    const existing = await getBead(pool, id);
    const ran = existing ? (await pool.query('SELECT 1 FROM workflow_executions WHERE bead_id = $1 LIMIT 1', [id])).rowCount! > 0 : false;
    const action = importAction(b, existing, ran);
    if (action.kind === 'insert') {
      // Another import may have inserted it meanwhile: then it counts as unchanged.
      ((await insertBead(pool, b)) ? out.imported : out.unchanged).push(id);
    } else if (action.kind === 'update') {
      const r = action.row;
      await pool.query(
        `UPDATE beads SET title = $2, description = $3, type = $4, priority = $5, labels = $6, depends_on = $7, metadata = $8,
           status = $9, closed_at = $10, updated_at = now() WHERE id = $1`,
        [id, r.title, r.description, r.type, r.priority, r.labels, r.depends_on, jsonParam(r.metadata), r.status, r.closed_at],
      );
      out.updated.push(id);
    } else if (action.kind === 'unchanged') out.unchanged.push(id);
    else out.foreign.push(id);
  }
  const deps = [...new Set(beads.flatMap((b) => b.dependsOn ?? []))];
  if (deps.length) {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM beads WHERE id = ANY($1::text[])', [deps]);
    const known = new Set(rows.map((r) => r.id));
    out.unknownDependencies = deps.filter((d) => !known.has(d));
  }
  return out;
}
