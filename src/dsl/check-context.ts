/**
 * Shared plumbing for the checks on a resolved definition: where a node or edge is, and how a
 * finding is recorded. Pure TS (runs inside Temporal workflow code).
 */
import { UNKNOWN_POSITION, type Finding, type Locator, type Severity } from './finding';
import type { ResolvedDefinition, ResolvedEdge, ResolvedNode } from './types';

export interface CheckContext {
  def: ResolvedDefinition;
  /** First node of each key (duplicates are reported, later ones ignored). */
  nodes: Map<string, ResolvedNode>;
  /** Edges whose both ends exist ("" or a known node), each with its index in def.edges. */
  edges: Array<ResolvedEdge & { index: number }>;
  report(severity: Severity, code: string, path: ReadonlyArray<string | number>, message: string, hint: string): void;
  nodePath(key: string, field?: string): Array<string | number>;
  edgePath(index: number, field?: string): Array<string | number>;
  /** "edge #3 (investigate → pm_review, failure)" */
  edgeName(edge: ResolvedEdge & { index: number }): string;
  findings: Finding[];
}

export function createContext(def: ResolvedDefinition, locate?: Locator): CheckContext {
  const findings: Finding[] = [];
  const file = def.source ?? `<definition ${def.id}>`;
  const nodes = new Map<string, ResolvedNode>();
  const nodeIndex = new Map<string, number>();
  def.nodes.forEach((n, i) => {
    if (!nodes.has(n.key)) {
      nodes.set(n.key, n);
      nodeIndex.set(n.key, i);
    }
  });
  const known = (key: string) => key === '' || nodes.has(key);
  const edges = def.edges.map((e, index) => ({ ...e, index })).filter((e) => known(e.from) && known(e.to));
  return {
    def,
    nodes,
    edges,
    findings,
    report(severity, code, path, message, hint) {
      const position = (locate && locate(path)) || UNKNOWN_POSITION;
      findings.push({ file, line: position.line, col: position.col, severity, code, message, hint });
    },
    nodePath: (key, field = 'node_key') => ['nodes', nodeIndex.get(key) ?? 0, field],
    edgePath: (index, field) => (field ? ['edges', index, field] : ['edges', index]),
    edgeName: (e) => `edge #${e.index + 1} (${e.from || 'start'} → ${e.to || 'end'}, ${e.condition})`,
  };
}

/** Out-edges by source key ("" = start), in file order. */
export function outEdges(ctx: CheckContext): Map<string, CheckContext['edges']> {
  const out = new Map<string, CheckContext['edges']>();
  for (const e of ctx.edges) {
    const list = out.get(e.from) ?? [];
    list.push(e);
    out.set(e.from, list);
  }
  return out;
}

/** Every key reachable from `from` along the given edges (end excluded), `from` included. */
export function reachableFrom(starts: Iterable<string>, next: (key: string) => Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const queue = [...starts].filter((k) => k !== '');
  for (const k of queue) seen.add(k);
  for (let i = 0; i < queue.length; i++) {
    for (const to of next(queue[i])) {
      if (to !== '' && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}
