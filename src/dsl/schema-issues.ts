/**
 * zod issues → findings that name the node or edge, say what was expected and found, and hint
 * at the fix. zod's own messages ("Invalid input: expected number, received string") say
 * neither where nor what to write.
 */
import type { z } from 'zod';
import type { Finding, Locator } from './finding';
import { CONDITIONS, NODE_TYPES } from './types';

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<string | number>;

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
};

const FIELD_HINTS: Record<string, string> = {
  max_attempts: 'write a whole number, e.g. `max_attempts: 3` (0 = unlimited)',
  max_cycles: 'write a whole number of at least 1, e.g. `max_cycles: 3`',
  max_dispatches: 'write a whole number of at least 1, e.g. `max_dispatches: 5`',
  max_hops: 'write a whole number of at least 1, e.g. `max_hops: 20`',
  timeout_minutes: 'write minutes as a number, e.g. `timeout_minutes: 30`, or use `timeout: 30m`',
  priority: 'write a whole number; among matching edges the highest wins',
  from_node_key: 'write a node_key in quotes, or "" for the start',
  to_node_key: 'write a node_key in quotes, or "" for the end',
  node_type: `use one of: ${NODE_TYPES.join(', ')}`,
  condition: `use one of: ${CONDITIONS.join(', ')}`,
  nodes: 'list the nodes under `nodes:`, each starting with `- node_key: ...`',
  edges: 'list the edges under `edges:`, each starting with `- from_node_key: ...`',
  command: 'write the command as a list of arguments, e.g. `command: [npm, test]`',
  approvers: 'list roles or people, e.g. `approvers: [Product Manager]`, or [] for anyone',
};
const DURATION_HINT = 'write a number and a unit (d, h, m, s, ms) from largest to smallest, e.g. 90s, 5m, 1h30m, 2d';

export function issueToFinding(issue: Issue, raw: unknown, file: string, locate: Locator): Finding {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const field = String([...path].reverse().find((p) => typeof p === 'string') ?? 'definition');
  const owner = describeOwner(path, raw);
  const where = owner ? `${owner}: ` : '';
  const last = path[path.length - 1];
  const label = typeof last === 'number' ? `item #${last + 1} of \`${field}\`` : `\`${field}\``;
  const base = { file, ...(locate(path) ?? { line: 1, col: 1 }), severity: 'error' as const };
  const input = issue.input;
  const fieldHint = FIELD_HINTS[field] ?? 'see definitions/README.md for the format';

  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (input === undefined) {
        return {
          ...base,
          code: 'missing-key',
          message: `${owner ? `${owner} is` : 'the definition is'} missing required key \`${field}\``,
          hint: `add \`${field}:\` (${expected}); ${fieldHint}`,
        };
      }
      return {
        ...base,
        code: 'invalid-type',
        message: `${where}${label} must be ${expected}, not ${describeValue(input)}`,
        hint: FIELD_HINTS[field] ?? `write ${expected} here`,
      };
    }
    case 'invalid_value': {
      const code = field === 'node_type' ? 'unknown-node-type' : field === 'condition' ? 'unknown-condition' : 'invalid-value';
      const what = field === 'node_type' ? 'node type' : field === 'condition' ? 'condition' : `value for \`${field}\``;
      const choices = `use one of: ${issue.values.map(String).join(', ')}`;
      if (input === undefined) {
        // An enum key left out reaches zod as `undefined`: say it is missing, not "unknown undefined".
        return { ...base, code: 'missing-key', message: `${where}has no \`${field}\``, hint: `add \`${field}:\`; ${choices}` };
      }
      return { ...base, code, message: `${where}unknown ${what} ${quoted(input)}`, hint: choices };
    }
    case 'invalid_format':
      return { ...base, code: 'invalid-duration', message: `${where}${label} ${quoted(input)} is not a duration`, hint: DURATION_HINT };
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? issue.minimum : issue.maximum;
      const message =
        issue.origin === 'array'
          ? `${where}${label} must have ${small ? 'at least' : 'at most'} ${limit} item${Number(limit) === 1 ? '' : 's'}`
          : issue.origin === 'string'
            ? `${where}${label} must not be empty`
            : `${where}${label} must be ${small ? 'at least' : 'at most'} ${limit}, not ${describeValue(input)}`;
      return { ...base, code: 'invalid-value', message, hint: fieldHint };
    }
    default:
      return { ...base, code: 'invalid-value', message: `${where}${label}: ${issue.message}`, hint: fieldHint };
  }
}

/** 'node "investigate"' or 'edge #3 (investigate → pm_review)', or "" at top level. */
function describeOwner(path: Path, raw: unknown): string {
  const [section, index] = path;
  if (typeof index !== 'number' || (section !== 'nodes' && section !== 'edges') || path.length < 3) return '';
  const list = isRecord(raw) ? raw[section] : undefined;
  const item = Array.isArray(list) && isRecord(list[index]) ? list[index] : {};
  if (section === 'nodes') {
    return typeof item.node_key === 'string' && item.node_key ? `node "${item.node_key}"` : `node #${index + 1}`;
  }
  const end = (v: unknown, blank: string) => (typeof v === 'string' ? v || blank : '?');
  return `edge #${index + 1} (${end(item.from_node_key, 'start')} → ${end(item.to_node_key, 'end')})`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === 'number' ? 'the number ' : ''}${String(value)}`;
}

/** A string as written ("magic"), anything else described (a list, the number 3). */
function quoted(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeValue(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
