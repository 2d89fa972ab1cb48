/**
 * Warnings for keys the engine will not read: unknown keys (typos, other tools' fields), and
 * known keys on the wrong kind of node. zod strips unknown keys silently, so we walk the YAML
 * against the schema's shapes to find them, each at its own line.
 */
import { isMap, isPair, isSeq } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration';
import type { Finding } from './finding';
import type { RawDefinition } from './schema';
import type { NodeType } from './types';
import { keyText, type YamlSource } from './yaml-source';

type Path = Array<string | number>;

/** Keys that only mean something on one node type. */
const TYPE_ONLY: Record<string, NodeType> = {
  approval: 'approval',
  verify: 'verify',
  merge: 'merge',
  subworkflow: 'subworkflow',
  lease: 'commit',
  on_conflict: 'commit',
  integration_role: 'commit',
  max_resolutions: 'commit',
};
/** Commit-node keys read only with `on_conflict: resolve`. */
const RESOLVE_KEYS = ['integration_role', 'max_resolutions'] as const;
/** Keys that control nodes (parallel, merge) never use: no agent runs there. */
const AGENT_KEYS = ['role_required', 'persona_hint'];

type Warn = (path: Path, message: string, hint: string) => void;

function collector(source: YamlSource, file: string): { findings: Finding[]; warn: Warn } {
  const findings: Finding[] = [];
  const warn: Warn = (path, message, hint) =>
    findings.push({ file, ...(source.locateKey(path) ?? { line: 1, col: 1 }), severity: 'warning', code: 'ignored-key', message, hint });
  return { findings, warn };
}

/** Keys the schema does not know, anywhere in the document (metadata is free-form). */
export function unknownKeyFindings(source: YamlSource, schema: z.ZodType, raw: unknown, file: string): Finding[] {
  const { findings, warn } = collector(source, file);

  const visit = (node: unknown, type: z.ZodType, path: Path) => {
    const inner = unwrap(type);
    if (inner instanceof z.ZodObject && isMap(node)) {
      const shape = inner.shape as Record<string, z.ZodType>;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        if (key in shape) visit(pair.value, shape[key], [...path, key]);
        else warn([...path, key], `${owner(raw, path)}unknown key \`${key}\` is ignored`, unknownKeyHint(key, Object.keys(shape)));
      }
    } else if (inner instanceof z.ZodArray && isSeq(node)) {
      node.items.forEach((item, i) => visit(item, inner.element as z.ZodType, [...path, i]));
    }
  };
  visit(source.doc.contents, schema, []);
  return findings;
}

/** Known keys the engine reads only on another node type, and timeout_minutes shadowed by timeout. */
export function misplacedKeyFindings(source: YamlSource, raw: RawDefinition, file: string): Finding[] {
  const { findings, warn } = collector(source, file);
  raw.nodes.forEach((node, i) => {
    const name = `node "${node.node_key}": `;
    for (const [key, only] of Object.entries(TYPE_ONLY)) {
      if (node[key as keyof typeof node] !== undefined && node.node_type !== only) {
        warn(
          ['nodes', i, key],
          `${name}\`${key}\` is ignored on a ${node.node_type} node`,
          `it applies to ${only} nodes only: remove it or change node_type`,
        );
      }
    }
    if (node.node_type === 'commit' && (node.on_conflict ?? raw.defaults?.on_conflict ?? 'fail') !== 'resolve') {
      for (const key of RESOLVE_KEYS.filter((k) => node[k] !== undefined)) {
        warn(
          ['nodes', i, key],
          `${name}\`${key}\` is ignored: conflicts fail this commit node`,
          'add `on_conflict: resolve` to the node (or `defaults:`), or remove it',
        );
      }
    }
    if (node.node_type === 'parallel' || node.node_type === 'merge') {
      for (const key of AGENT_KEYS.filter((k) => node[k as keyof typeof node] !== undefined)) {
        warn(
          ['nodes', i, key],
          `${name}\`${key}\` is ignored on a ${node.node_type} node`,
          'no agent runs on parallel and merge nodes: remove it',
        );
      }
    }
    if (node.timeout !== undefined && node.timeout_minutes !== undefined && parseDuration(node.timeout) !== node.timeout_minutes * 60_000) {
      warn(['nodes', i, 'timeout_minutes'], `${name}\`timeout_minutes\` is ignored because \`timeout\` is set`, 'keep one of the two');
    }
  });
  return findings;
}

function unwrap(type: z.ZodType): z.ZodType {
  let t = type;
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault) t = t.unwrap() as z.ZodType;
  return t;
}

function owner(raw: unknown, path: Path): string {
  if (path[0] === 'nodes' && typeof path[1] === 'number') {
    const nodes = (raw as { nodes?: unknown } | null)?.nodes;
    const key = Array.isArray(nodes) ? (nodes[path[1]] as { node_key?: unknown } | null)?.node_key : undefined;
    return typeof key === 'string' && key ? `node "${key}": ` : `node #${path[1] + 1}: `;
  }
  if (path[0] === 'edges' && typeof path[1] === 'number') return `edge #${path[1] + 1}: `;
  return path.length ? `\`${path.join('.')}\`: ` : '';
}

function unknownKeyHint(key: string, known: string[]): string {
  const near = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= Math.max(1, Math.floor(k.length / 4)));
  return near.length
    ? `did you mean \`${near[0]}\`? Otherwise remove it`
    : `remove it; keys read here: ${known.filter((k) => k !== '$schema').join(', ')}`;
}

/** Levenshtein distance, for "did you mean"; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
