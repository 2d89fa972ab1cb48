/**
 * The `bd` tool's `.beads/issues.jsonl`: one issue per line (id, title, description, status,
 * priority 0-4, issue_type, labels, created_at, closed_at, ...). Parsed into ledger beads; the
 * fields beadflow has no column for (assignee, design, notes, ...) are kept in `metadata`, and
 * so are the dependencies, whose blocking ones (`blocks`, or no type) also become `dependsOn`.
 * Soft-deleted issues (tombstone) are left out.
 */
import type { NewBead } from './beads';

export interface BdParse {
  beads: NewBead[];
  /** `file:line: message` for lines that could not be used. */
  problems: string[];
  skipped: number;
}

const OWN_FIELDS = new Set(['id', 'title', 'description', 'status', 'priority', 'issue_type', 'type', 'labels', 'created_at', 'closed_at']);

export function parseBdJsonl(content: string, file = 'issues.jsonl'): BdParse {
  const beads: NewBead[] = [];
  const problems: string[] = [];
  let skipped = 0;
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let issue: Record<string, unknown>;
    try {
      issue = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${where}: not JSON (${(err as Error).message})`);
      return;
    }
    if (typeof issue !== 'object' || issue === null || Array.isArray(issue)) return void problems.push(`${where}: not an issue object`);
    if (typeof issue.id !== 'string' || !issue.id.trim()) return void problems.push(`${where}: no "id"`);
    if (typeof issue.title !== 'string' || !issue.title.trim()) return void problems.push(`${where}: issue ${issue.id} has no "title"`);
    const status = typeof issue.status === 'string' && issue.status ? issue.status : 'open';
    if (status === 'tombstone') return void skipped++;
    const priority = typeof issue.priority === 'number' && issue.priority >= 0 && issue.priority <= 4 ? Math.round(issue.priority) : 2;
    const metadata: Record<string, unknown> = { bd: Object.fromEntries(Object.entries(issue).filter(([k]) => !OWN_FIELDS.has(k))) };
    beads.push({
      id: issue.id.trim(),
      title: issue.title.trim(),
      description: typeof issue.description === 'string' ? issue.description : '',
      type: typeof issue.issue_type === 'string' ? issue.issue_type : typeof issue.type === 'string' ? issue.type : 'task',
      priority,
      labels: Array.isArray(issue.labels) ? issue.labels.filter((l): l is string => typeof l === 'string') : [],
      status: status === 'review' ? 'in_review' : status,
      source: 'bd',
      metadata,
      dependsOn: blockers(issue, where, problems),
      createdAt: date(issue.created_at),
      closedAt: date(issue.closed_at),
    });
  });
  return { beads, problems, skipped };
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** bd's types that hold an issue back; `related`, `parent-child`, `discovered-from` only link. */
const BLOCKING = new Set(['blocks', '']);

/** Ids of the issues this one waits for: `dependencies: [{depends_on_id, type}]` (or plain ids). */
function blockers(issue: Record<string, unknown>, where: string, problems: string[]): string[] {
  const deps = issue.dependencies;
  if (deps === undefined || deps === null) return [];
  if (!Array.isArray(deps)) {
    problems.push(`${where}: issue ${String(issue.id)}: "dependencies" is not a list; its dependencies are ignored`);
    return [];
  }
  const ids = new Set<string>();
  for (const d of deps) {
    const id = typeof d === 'string' ? d : d && typeof d === 'object' ? (d as Record<string, unknown>).depends_on_id : undefined;
    const type = d && typeof d === 'object' ? String((d as Record<string, unknown>).type ?? '') : '';
    if (typeof id !== 'string' || !id.trim()) {
      problems.push(`${where}: issue ${String(issue.id)}: a dependency has no "depends_on_id"; it is ignored`);
      continue;
    }
    if (BLOCKING.has(type)) ids.add(id.trim());
  }
  return [...ids];
}
