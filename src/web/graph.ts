/**
 * A bead's definition as a drawable graph: dagre lays it out here, on the server, so the page
 * only draws boxes and polylines. What the bead did (visited nodes, taken edges, counts) comes
 * from its history entries; the history is a window of recent entries, so counts are of that window.
 */
import { graphlib, layout } from '@dagrejs/dagre';
import type { ResolvedDefinition } from '../dsl/types';
import type { HistoryEntry } from '../interpreter/types';

/** The pseudo nodes edges from "" (start) and to "" (end) attach to. */
export const START = '^start';
export const END = '$end';

export interface GraphNode {
  key: string;
  type: string;
  role: string;
  x: number;
  y: number;
  width: number;
  height: number;
  current: boolean;
  visited: boolean;
  /** Times the bead entered the node (moves into it, in the history window). */
  entries: number;
  /** Agent turns and decisions recorded at the node. */
  turns: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  condition: string;
  priority: number;
  taken: boolean;
  /** Times the bead took it. */
  count: number;
  points: Array<{ x: number; y: number }>;
  /** Where the condition label goes. */
  label: { x: number; y: number };
}

export interface BeadGraph {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const NODE_W = 170;
const NODE_H = 54;
const PSEUDO = 26;

const key = (from: string, to: string, condition: string) => `${from || START}→${to || END}:${condition}`;

export function beadGraph(def: ResolvedDefinition, history: HistoryEntry[], currentNodes: string[]): BeadGraph {
  const entries = new Map<string, number>();
  const turns = new Map<string, number>();
  const taken = new Map<string, number>();
  for (const h of history) {
    if (h.kind === 'move') {
      const k = key(h.node, h.to ?? '', h.condition ?? '');
      taken.set(k, (taken.get(k) ?? 0) + 1);
      const to = h.to || END;
      entries.set(to, (entries.get(to) ?? 0) + 1);
      if (!h.node) entries.set(START, (entries.get(START) ?? 0) + 1);
    } else if (h.kind === 'turn' || h.kind === 'decision') {
      turns.set(h.node, (turns.get(h.node) ?? 0) + 1);
    }
  }
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 50, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const usesStart = def.edges.some((e) => e.from === '');
  const usesEnd = def.edges.some((e) => e.to === '');
  if (usesStart) g.setNode(START, { width: PSEUDO, height: PSEUDO });
  if (usesEnd) g.setNode(END, { width: PSEUDO, height: PSEUDO });
  for (const n of def.nodes) g.setNode(n.key, { width: NODE_W, height: NODE_H });
  def.edges.forEach((e, i) => g.setEdge(e.from || START, e.to || END, { width: 60, height: 16, labelpos: 'c' }, `e${i}`));
  layout(g);

  const current = new Set(currentNodes.filter(Boolean));
  const box = (k: string, type: string, role: string): GraphNode => {
    const n = g.node(k);
    return {
      key: k,
      type,
      role,
      x: n.x,
      y: n.y,
      width: n.width,
      height: n.height,
      current: current.has(k),
      visited: (entries.get(k) ?? 0) > 0 || (turns.get(k) ?? 0) > 0 || current.has(k),
      entries: entries.get(k) ?? 0,
      turns: turns.get(k) ?? 0,
    };
  };
  const nodes = [
    ...(usesStart ? [box(START, 'start', '')] : []),
    ...def.nodes.map((n) => box(n.key, n.type, n.role)),
    ...(usesEnd ? [box(END, 'end', '')] : []),
  ];
  const edges = def.edges.map((e, i): GraphEdge => {
    const count = taken.get(key(e.from, e.to, e.condition)) ?? 0;
    const label = g.edge({ v: e.from || START, w: e.to || END, name: `e${i}` });
    const points = (label?.points ?? []).map((p: { x: number; y: number }) => ({ x: round(p.x), y: round(p.y) }));
    const at = { x: round(label?.x ?? points[0]?.x ?? 0), y: round(label?.y ?? points[0]?.y ?? 0) };
    return {
      from: e.from || START,
      to: e.to || END,
      condition: e.condition,
      priority: e.priority,
      taken: count > 0,
      count,
      points,
      label: at,
    };
  });
  const graph = g.graph();
  return { width: round(graph.width ?? 0), height: round(graph.height ?? 0), nodes, edges };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
