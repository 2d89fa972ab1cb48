/**
 * The backlog loop's order and readiness, as the step-format system's coordinator had them:
 * unfinished work first (blocked, then in review, then in progress, then open), then priority
 * (P0 first), then age. A bead is ready when every bead it depends on is closed. Pure; the
 * queries in beads.ts feed it.
 */
import type { BeadRow } from './beads';

/** Statuses the backlog loop works on, most urgent first; others (closed, deferred, ...) stay put. */
export const BACKLOG_STATUSES = ['blocked', 'in_review', 'in_progress', 'open'] as const;

/** The same order in SQL, for lists (`bead list`) that must agree with the loop. */
export const BACKLOG_ORDER_SQL = `CASE status WHEN 'blocked' THEN 0 WHEN 'in_review' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'open' THEN 3 ELSE 4 END,
  priority, created_at, id`;

type Ordered = Pick<BeadRow, 'id' | 'status' | 'priority' | 'created_at'>;

export function statusRank(status: string): number {
  const i = (BACKLOG_STATUSES as readonly string[]).indexOf(status);
  return i < 0 ? BACKLOG_STATUSES.length : i;
}

export function compareBacklog(a: Ordered, b: Ordered): number {
  return (
    statusRank(a.status) - statusRank(b.status) ||
    a.priority - b.priority ||
    a.created_at.getTime() - b.created_at.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export interface Waiting {
  beadId: string;
  /** Dependencies not closed yet, with their status (`missing`: not in the ledger). */
  on: Array<{ beadId: string; status: string }>;
}

/**
 * Splits candidates into the ones ready to start, in backlog order, and the ones waiting for a
 * dependency. `statusOf` gives a dependency's ledger status (undefined: no such bead).
 */
export function readyBeads(
  candidates: readonly BeadRow[],
  statusOf: (id: string) => string | undefined,
): { ready: BeadRow[]; waiting: Waiting[] } {
  const ready: BeadRow[] = [];
  const waiting: Waiting[] = [];
  for (const bead of [...candidates].sort(compareBacklog)) {
    const open = (bead.depends_on ?? [])
      .filter((id) => id !== bead.id)
      .map((id) => ({ beadId: id, status: statusOf(id) ?? 'missing' }))
      .filter((d) => d.status !== 'closed');
    if (open.length) waiting.push({ beadId: bead.id, on: open });
    else ready.push(bead);
  }
  return { ready, waiting };
}

/** "b waits for c (open), x (missing)". */
export function describeWaiting(w: Waiting): string {
  return `${w.beadId} waits for ${w.on.map((d) => `${d.beadId} (${d.status === 'missing' ? 'not in the ledger' : d.status})`).join(', ')}`;
}
