/**
 * The DAG as Mermaid (renders in GitHub and most Markdown viewers) or Graphviz DOT. Every node
 * shows key, type and role; every edge its condition and priority; start and end are explicit.
 * Nodes get generated ids (n0, n1, ...) so any node_key is safe; the key is in the label.
 */
import { formatDuration } from './duration';
import type { Condition, ResolvedDefinition, ResolvedEdge, ResolvedNode } from './types';

export type GraphFormat = 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

const START = '__start';
const END = '__end';
/** Outcomes off the happy path are drawn dashed. */
const SETBACKS: readonly Condition[] = ['failure', 'rejected', 'timeout', 'escalated'];

export function renderGraph(def: ResolvedDefinition, format: GraphFormat): string {
  const ids = new Map<string, string>();
  const nodes: ResolvedNode[] = [];
  def.nodes.forEach((n, i) => {
    if (ids.has(n.key)) return; // a duplicate key is a validation error; draw the first
    ids.set(n.key, `n${i}`);
    nodes.push(n);
  });
  const id = (key: string, blank: string) => (key === '' ? blank : (ids.get(key) ?? 'unknown_node'));
  return format === 'dot' ? dot(def, nodes, id) : mermaid(nodes, def.edges, id);
}

function nodeLines(n: ResolvedNode): string[] {
  const lines = [n.key, n.role ? `${n.type} · ${n.role}` : n.type];
  if (n.merge) lines.push(`joins ${n.merge.fork} (${n.merge.wait})`);
  if (n.timeoutMs > 0) lines.push(`timeout ${formatDuration(n.timeoutMs)}`);
  return lines;
}

const edgeLabel = (e: ResolvedEdge) => `${e.condition} (${e.priority})`;

type IdOf = (key: string, blank: string) => string;

function mermaid(nodes: ResolvedNode[], edges: ResolvedEdge[], id: IdOf): string {
  const text = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  const shape: Record<string, [string, string]> = {
    task: ['[', ']'],
    approval: ['{{', '}}'],
    commit: ['[(', ')]'],
    verify: ['[/', '/]'],
    parallel: ['[[', ']]'],
    merge: ['[[', ']]'],
  };
  const out = ['flowchart TD', `  ${START}(("start"))`];
  for (const n of nodes) {
    const [open, close] = shape[n.type] ?? ['[', ']'];
    out.push(`  ${id(n.key, START)}${open}"${nodeLines(n).map(text).join('<br/>')}"${close}`);
  }
  out.push(`  ${END}(("end"))`);
  for (const e of edges) {
    const arrow = SETBACKS.includes(e.condition) ? '-.->' : '-->';
    out.push(`  ${id(e.from, START)} ${arrow}|"${text(edgeLabel(e))}"| ${id(e.to, END)}`);
  }
  return `${out.join('\n')}\n`;
}

function dot(def: ResolvedDefinition, nodes: ResolvedNode[], id: IdOf): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
  const shape: Record<string, string> = {
    task: 'box',
    approval: 'hexagon',
    commit: 'cylinder',
    verify: 'parallelogram',
    parallel: 'invtrapezium',
    merge: 'trapezium',
  };
  const out = [
    `digraph ${q(def.id)} {`,
    '  rankdir=TB;',
    '  node [fontname="Helvetica", style=rounded];',
    '  edge [fontname="Helvetica", fontsize=10];',
    `  ${START} [label="start", shape=circle];`,
    `  ${END} [label="end", shape=doublecircle];`,
  ];
  for (const n of nodes) {
    const label = nodeLines(n)
      .map((l) => q(l).slice(1, -1))
      .join('\\n');
    out.push(`  ${id(n.key, START)} [label="${label}", shape=${shape[n.type] ?? 'box'}];`);
  }
  for (const e of def.edges) {
    const style = SETBACKS.includes(e.condition) ? ', style=dashed' : '';
    out.push(`  ${id(e.from, START)} -> ${id(e.to, END)} [label=${q(edgeLabel(e))}${style}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
