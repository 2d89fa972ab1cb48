/**
 * Whole-graph checks: reachability from the start, a way out to an end, and routes for the
 * outcomes a node can produce. Only reachable nodes get route findings: an unreachable node is
 * reported once, as unreachable, not again for every route it lacks. Pure TS.
 */
import { outEdges, reachableFrom, type CheckContext } from './check-context';
import { CONTROL_NODE_TYPES, FAILURE_HANDLERS } from './conventions';
import type { Condition } from './types';

export function checkGraph(ctx: CheckContext): void {
  const out = outEdges(ctx);
  const starts = out.get('') ?? [];
  if (starts.length === 0) return; // reported as no-start (or unknown-node) already
  const targets = (key: string) => (out.get(key) ?? []).map((e) => e.to);
  const reachable = reachableFrom(targets(''), targets);

  const into = new Map<string, string[]>();
  for (const e of ctx.edges) into.set(e.to, [...(into.get(e.to) ?? []), e.from]);
  const finishers = ctx.edges.filter((e) => e.to === '' && e.from !== '').map((e) => e.from);
  const canFinish = reachableFrom(finishers, (key) => into.get(key) ?? []);

  for (const node of ctx.nodes.values()) {
    if (!reachable.has(node.key)) {
      ctx.report(
        'warning',
        'unreachable',
        ctx.nodePath(node.key),
        `node "${node.key}" is unreachable: no path from the start leads to it`,
        'route an edge to it, or remove it (it never runs)',
      );
    }
  }

  const trapped = [...ctx.nodes.keys()].filter((k) => reachable.has(k) && !canFinish.has(k));
  if (!starts.some((e) => e.to === '' || canFinish.has(e.to))) {
    ctx.report(
      'error',
      'no-path-to-end',
      ctx.edgePath(starts[0].index, 'to_node_key'),
      'no path from the start to an end: the bead could never complete',
      'add an edge with `to_node_key: ""` (the end), e.g. on success of the last node',
    );
  } else if (trapped.length) {
    const names = trapped.map((k) => `"${k}"`).join(', ');
    const what = trapped.length === 1 ? `node ${names} has` : `nodes ${names} have`;
    ctx.report(
      'error',
      'no-path-to-end',
      ctx.nodePath(trapped[0]),
      `${what} no path to an end (a loop with no exit)`,
      'add an edge from one of them to the end or to a node that reaches it, e.g. on failure',
    );
  }

  for (const node of ctx.nodes.values()) {
    if (!reachable.has(node.key) || CONTROL_NODE_TYPES.includes(node.type)) continue;
    const conditions = new Set<Condition>((out.get(node.key) ?? []).map((e) => e.condition));
    if (node.type === 'approval' && !conditions.has('approved') && !conditions.has('success')) {
      ctx.report(
        'error',
        'no-approved-route',
        ctx.nodePath(node.key),
        `approval node "${node.key}" has no route for approved`,
        `add an edge from "${node.key}" with \`condition: approved\` to the node that runs after approval`,
      );
    }
    const judged = (node.type === 'approval' || node.type === 'verify') && conditions.has('rejected');
    if (!judged && !FAILURE_HANDLERS.some((c) => conditions.has(c))) {
      ctx.report(
        'warning',
        'no-failure-route',
        ctx.nodePath(node.key),
        `node "${node.key}" has no route for failure: when its attempts run out the bead escalates`,
        `add an edge from "${node.key}" on failure (e.g. back to an earlier node), or on escalated to make the escalation explicit`,
      );
    }
    if (node.type === 'task' || node.type === 'commit') {
      // Only approval and verify nodes give verdicts; elsewhere an agent's verdict counts as success/failure.
      for (const e of (out.get(node.key) ?? []).filter((x) => x.condition === 'approved' || x.condition === 'rejected')) {
        const instead = e.condition === 'approved' ? 'success' : 'failure';
        ctx.report(
          'warning',
          'condition-never-fires',
          ctx.edgePath(e.index, 'condition'),
          `${ctx.edgeName(e)} never fires: a ${node.type} node ends in success or failure, not ${e.condition}`,
          `use \`condition: ${instead}\`, or make "${node.key}" an approval or verify node`,
        );
      }
    }
    if (node.timeoutMs === 0) {
      for (const e of (out.get(node.key) ?? []).filter((x) => x.condition === 'timeout')) {
        ctx.report(
          'warning',
          'timeout-never-fires',
          ctx.edgePath(e.index, 'condition'),
          `${ctx.edgeName(e)} never fires: node "${node.key}" has no timeout`,
          `set \`timeout:\` on "${node.key}" (e.g. 30m), or remove the edge`,
        );
      }
    }
  }
}
