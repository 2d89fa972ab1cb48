/**
 * Step dependencies → edges. A step with no dependencies starts from the start, a step nothing
 * depends on goes to the end. Where several steps depend on one (or several steps start the run)
 * a `parallel` fork node starts them together; where a step depends on several (or several steps
 * end the run) a `merge` node joins them first. A join closes the fork of its immediate
 * dominator, so dependency graphs that nest (series-parallel) convert; others get a located error.
 */
import type { RawEdge, RawNode } from '../schema';
import type { StepIssue, YamlPath } from './issues';

export interface StepVertex {
  id: string;
  deps: string[];
  /** Node a dependency edge enters, and the node it leaves from (differ for parallel steps). */
  entry: string;
  exit: string;
  /** The step, and its dependencies key if it has one. */
  at: YamlPath;
  depsAt: YamlPath;
}

export interface Wiring {
  nodes: Array<{ node: RawNode; at: YamlPath }>;
  edges: Array<{ edge: RawEdge; at: YamlPath }>;
  issues: StepIssue[];
}

const START = '\u0000start';
const END = '\u0000end';

export function wire(steps: StepVertex[]): Wiring {
  const out: Wiring = { nodes: [], edges: [], issues: [] };
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    const bad = s.deps.find((d) => !byId.has(d));
    if (bad !== undefined) {
      out.issues.push({
        severity: 'error',
        code: 'unknown-dependency',
        path: s.depsAt,
        message: `step "${s.id}" depends on "${bad}", which is not a step of this workflow`,
        hint: `known steps: ${steps.map((x) => x.id).join(', ')}`,
      });
    }
  }
  if (out.issues.length > 0) return out;

  const order = topologicalOrder(steps);
  if (!Array.isArray(order)) {
    out.issues.push({
      severity: 'error',
      code: 'dependency-cycle',
      path: byId.get(order.cycle[0]!)!.depsAt,
      message: `step dependencies form a cycle: ${order.cycle.join(' → ')}`,
      hint: 'dependencies must form a DAG: remove one dependency of the cycle (loops are native nodes and edges)',
    });
    return out;
  }

  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>([[START, []]]);
  for (const id of order) succs.set(id, []);
  for (const id of order) {
    const deps = byId.get(id)!.deps;
    preds.set(id, deps.length > 0 ? [...new Set(deps)] : [START]);
    for (const p of preds.get(id)!) succs.get(p)!.push(id);
  }
  preds.set(END, [...order.filter((id) => succs.get(id)!.length === 0)]);
  for (const p of preds.get(END)!) succs.get(p)!.push(END);

  const all = [START, ...order, END];
  const rank = new Map(all.map((v, i) => [v, i]));
  const dom = new Map<string, Set<string>>([[START, new Set([START])]]);
  for (const v of all.slice(1)) {
    const sets = preds.get(v)!.map((p) => dom.get(p)!);
    const mine = new Set([...sets[0]!].filter((d) => sets.every((s) => s.has(d))));
    dom.set(v, mine.add(v));
  }
  const idom = (v: string) => [...dom.get(v)!].filter((d) => d !== v).sort((a, b) => rank.get(b)! - rank.get(a)!)[0]!;

  const name = (v: string) => (v === START ? 'the start' : v === END ? 'the end' : `step "${v}"`);
  const at = (v: string) => (v === START || v === END ? byId.get(order[0]!)!.at : byId.get(v)!.at);
  const forkKey = (v: string) => (v === START ? 'start-fork' : `${v}-fork`);
  const joinKey = (t: string) => (t === END ? 'end-join' : `${t}-join`);
  const entry = (t: string) => (t === END ? '' : byId.get(t)!.entry);
  const exit = (v: string) => (v === START ? '' : byId.get(v)!.exit);
  const target = (t: string) => (preds.get(t)!.length > 1 ? joinKey(t) : entry(t));
  const edgeAt = (t: string, from: string) => (t === END ? at(from) : byId.get(t)!.depsAt);
  const edge = (from: string, to: string, where: YamlPath) => out.edges.push({ edge: { from_node_key: from, to_node_key: to }, at: where });

  const joinedBy = new Map<string, string[]>();
  for (const t of all) {
    if ((preds.get(t)?.length ?? 0) < 2) continue;
    const fork = idom(t);
    joinedBy.set(fork, [...(joinedBy.get(fork) ?? []), t]);
  }
  for (const v of [START, ...order]) {
    const next = succs.get(v)!;
    if (next.length < 2) {
      if (next.length === 1) edge(exit(v), target(next[0]!), edgeAt(next[0]!, v));
      continue;
    }
    const joins = joinedBy.get(v) ?? [];
    if (joins.length !== 1) {
      out.issues.push({
        severity: 'error',
        code: 'dependencies-do-not-nest',
        path: at(v),
        message: `the steps after ${name(v)} (${next.map(name).join(', ')}) ${joins.length === 0 ? 'never meet again at one step' : `meet at several steps (${joins.map(name).join(', ')})`}`,
        hint: 'beadflow runs steps whose dependencies are met as parallel branches that one later step (or the end) joins: make the branches meet at one step',
      });
      continue;
    }
    out.nodes.push({ node: { node_key: forkKey(v), node_type: 'parallel' }, at: at(v) });
    edge(exit(v), forkKey(v), at(v));
    for (const t of next) edge(forkKey(v), target(t), edgeAt(t, v));
  }
  for (const t of all) {
    if ((preds.get(t)?.length ?? 0) < 2) continue;
    out.nodes.push({ node: { node_key: joinKey(t), node_type: 'merge', merge: { fork: forkKey(idom(t)), wait: 'all' } }, at: at(t) });
    edge(joinKey(t), entry(t), t === END ? at(preds.get(END)![0]!) : byId.get(t)!.depsAt);
  }
  return out;
}

/** Kahn's algorithm in file order; on a cycle, one cycle's step ids (first repeated at the end). */
function topologicalOrder(steps: StepVertex[]): string[] | { cycle: string[] } {
  const pending = new Map(steps.map((s) => [s.id, new Set(s.deps)]));
  const order: string[] = [];
  for (let progress = true; progress;) {
    progress = false;
    for (const s of steps) {
      const deps = pending.get(s.id);
      if (!deps || [...deps].some((d) => pending.has(d))) continue;
      pending.delete(s.id);
      order.push(s.id);
      progress = true;
    }
  }
  if (pending.size === 0) return order;
  // Walk dependencies among the stuck steps until one repeats.
  const path: string[] = [];
  let at = pending.keys().next().value as string;
  while (!path.includes(at)) {
    path.push(at);
    at = [...pending.get(at)!].find((d) => pending.has(d))!;
  }
  const cycle = path.slice(path.indexOf(at));
  return { cycle: [...cycle, at] };
}
