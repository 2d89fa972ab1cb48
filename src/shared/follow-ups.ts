/**
 * Follow-up beads an agent files in its answer: `"follow_ups": [{title, type?, priority?, description?}]`.
 * The step-format system's agents filed tasks on the dashboard this way; the backlog loop turns
 * them into ledger beads. An answer is never refused for its follow-ups: a bad entry is dropped
 * with a warning that says which one and why, and at most MAX_FOLLOW_UPS are kept, so one
 * answer cannot flood the backlog.
 */
import { PRIORITIES } from './bead';
import { LIMITS } from './limits';

export const MAX_FOLLOW_UPS = 10;
/** Like a definition's workflow_type: what `bead start --type` takes. */
const TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface FollowUp {
  title: string;
  /** A definition's id or workflow_type; absent: the bead's labels and title pick it. */
  type?: string;
  priority: (typeof PRIORITIES)[number];
  description?: string;
}

export interface ParsedFollowUps {
  followUps: FollowUp[];
  /** One line per entry left out, e.g. `follow_ups[2]: no "title"`. */
  warnings: string[];
}

/** Reads the `follow_ups` value of an answer (undefined: none). */
export function parseFollowUps(value: unknown): ParsedFollowUps {
  const out: ParsedFollowUps = { followUps: [], warnings: [] };
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) {
    out.warnings.push(
      `follow_ups: not a list (got ${kind(value)}); write "follow_ups": [{"title": "...", "type": "bug", "priority": "P2"}]`,
    );
    return out;
  }
  const seen = new Set<string>();
  value.forEach((entry, i) => {
    const where = `follow_ups[${i}]`;
    const problem = check(entry);
    if (typeof problem === 'string') return void out.warnings.push(`${where}: ${problem}; left out`);
    const key = problem.title.toLowerCase();
    if (seen.has(key)) return void out.warnings.push(`${where}: same title as an earlier follow-up ("${problem.title}"); left out`);
    if (out.followUps.length >= MAX_FOLLOW_UPS) {
      if (out.followUps.length === MAX_FOLLOW_UPS && !out.warnings.some((w) => w.startsWith('follow_ups: more than')))
        out.warnings.push(`follow_ups: more than ${MAX_FOLLOW_UPS} in one answer; the rest (from ${where}) are left out`);
      return;
    }
    seen.add(key);
    out.followUps.push(problem);
  });
  return out;
}

/** A follow-up, or what is wrong with it. */
function check(entry: unknown): FollowUp | string {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return `not an object (got ${kind(entry)})`;
  const e = entry as Record<string, unknown>;
  if (typeof e.title !== 'string' || !e.title.trim()) return 'no "title" (a non-empty string)';
  const title = e.title.trim().replace(/\s+/g, ' ');
  if (title.length > LIMITS.titleChars) return `"title" is over ${LIMITS.titleChars} characters`;
  let type: string | undefined;
  if (e.type !== undefined && e.type !== null && e.type !== '') {
    if (typeof e.type !== 'string' || !TYPE_PATTERN.test(e.type.trim()))
      return `"type" must be a word such as bug, feature or ui, not ${JSON.stringify(e.type)}`;
    type = e.type.trim();
  }
  const priority = priorityOf(e.priority);
  if (!priority) return `"priority" must be P0..P4 or 0..4, not ${JSON.stringify(e.priority)}`;
  let description: string | undefined;
  if (e.description !== undefined && e.description !== null) {
    if (typeof e.description !== 'string') return '"description" must be a string';
    description = e.description.slice(0, LIMITS.descriptionChars);
  }
  return { title, priority, ...(type ? { type } : {}), ...(description ? { description } : {}) };
}

function priorityOf(value: unknown): FollowUp['priority'] | undefined {
  if (value === undefined || value === null || value === '') return 'P2';
  const text = String(value).trim().toUpperCase();
  const p = /^\d$/.test(text) ? `P${text}` : text;
  return (PRIORITIES as readonly string[]).includes(p) ? (p as FollowUp['priority']) : undefined;
}

function kind(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v;
}
