/** Checks at the workflow's entry: a run must never start on a definition it cannot interpret. */
import type { ResolvedDefinition } from '../dsl/types';

export function definitionProblems(def: ResolvedDefinition | undefined): string[] {
  if (!def || typeof def !== 'object') return ['no definition in the input'];
  if (!Array.isArray(def.nodes) || !Array.isArray(def.edges)) return ['nodes and edges must be lists'];
  const keys = new Set(def.nodes.map((n) => n.key));
  const problems: string[] = [];
  if (!def.edges.some((e) => e.from === '')) problems.push('no start edge (from_node_key "")');
  for (const e of def.edges) {
    if (e.from !== '' && !keys.has(e.from)) problems.push(`edge from unknown node "${e.from}"`);
    if (e.to !== '' && !keys.has(e.to)) problems.push(`edge to unknown node "${e.to}"`);
  }
  return problems;
}
