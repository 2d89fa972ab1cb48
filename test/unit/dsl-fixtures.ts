/** Shared paths and tiny YAML builders for the dsl-*.test.ts files. */
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
/** Loom's real files, read in place: the project root's sibling shared/ (never copied here). */
export const LOOM_DIR = path.resolve(__dirname, '../../../shared/peers/loom');
export const LOOM_FILES = ['bug', 'feature', 'ui', 'self-improvement'].map((n) => path.join(LOOM_DIR, `${n}.yaml`));
export const DEFAULTS_DIR = path.join(ROOT, 'definitions');
export const DEFAULT_IDS = ['bug', 'feature', 'ui', 'self-improvement', 'hotfix'];

/** A task node, two-space list indent, extra lines appended verbatim. */
export function task(key: string, extra = ''): string {
  return `  - node_key: ${key}\n    node_type: task\n    role_required: QA Engineer\n${extra}`;
}

export function edge(from: string, to: string, condition = 'success', priority = 100): string {
  return `  - { from_node_key: "${from}", to_node_key: "${to}", condition: ${condition}, priority: ${priority} }\n`;
}

/** A definition text: `id: t`, then optional top-level lines, then nodes and edges. */
export function definition(nodes: string, edges: string, top = ''): string {
  return `id: t\n${top}nodes:\n${nodes}edges:\n${edges}`;
}

/** The smallest valid body for node "a": start → a → end, with a failure route. */
export const A_TO_END = edge('', 'a') + edge('a', '') + edge('a', '', 'failure');
