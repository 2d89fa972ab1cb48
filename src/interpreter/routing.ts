/** Edge selection: which edge a node's outcome takes. Pure. */
import type { Condition, ResolvedDefinition, ResolvedEdge, ResolvedNode } from '../dsl/types';
import type { NodeOutcome } from './types';

/**
 * Conditions an outcome matches, in order of preference. Verdicts fall back to the plain
 * success/failure routes because Loom's files route approvals both ways ("fallback if condition
 * mapping not applied").
 */
export function conditionsFor(outcome: NodeOutcome): Condition[] {
  switch (outcome) {
    case 'approved':
      return ['approved', 'success'];
    case 'rejected':
      return ['rejected', 'failure'];
    case 'success':
      return ['success'];
    case 'failure':
      return ['failure'];
    case 'timeout':
      return ['timeout'];
    case 'escalated':
      return ['escalated'];
    case 'redispatch':
      return [];
  }
}

/** Among edges out of `from` matching the outcome, the highest priority wins (ties: the preferred condition, then file order). */
export function selectEdge(def: ResolvedDefinition, from: string, outcome: NodeOutcome): ResolvedEdge | undefined {
  const wanted = conditionsFor(outcome);
  let best: ResolvedEdge | undefined;
  let bestRank = Infinity;
  for (const edge of def.edges) {
    if (edge.from !== from) continue;
    const rank = wanted.indexOf(edge.condition);
    if (rank < 0) continue;
    if (!best || edge.priority > best.priority || (edge.priority === best.priority && rank < bestRank)) {
      best = edge;
      bestRank = rank;
    }
  }
  return best;
}

/** The route taken when a node has failed for good: failure, then escalated, then none (open escalation). */
export function failureRoute(def: ResolvedDefinition, from: string): ResolvedEdge | undefined {
  return selectEdge(def, from, 'failure') ?? selectEdge(def, from, 'escalated');
}

export function startEdge(def: ResolvedDefinition): ResolvedEdge | undefined {
  return def.edges.filter((e) => e.from === '').sort((a, b) => b.priority - a.priority)[0];
}

/** A parallel node's branches: every success edge out of it, highest priority first. */
export function forkBranches(def: ResolvedDefinition, fork: string): string[] {
  return def.edges
    .filter((e) => e.from === fork && e.condition === 'success' && e.to !== '')
    .sort((a, b) => b.priority - a.priority)
    .map((e) => e.to);
}

export function mergeOf(def: ResolvedDefinition, fork: string): ResolvedNode | undefined {
  return def.nodes.find((n) => n.type === 'merge' && n.merge?.fork === fork);
}

export function nodeByKey(def: ResolvedDefinition, key: string): ResolvedNode {
  const node = def.nodes.find((n) => n.key === key);
  if (!node) throw new Error(`definition ${def.id} has no node "${key}"`);
  return node;
}

/** Approval and verify nodes speak in verdicts; an agent's success/failure there is approve/reject. */
export function normalizeOutcome(node: ResolvedNode, outcome: NodeOutcome): NodeOutcome {
  if (node.type !== 'approval' && node.type !== 'verify') {
    if (outcome === 'approved') return 'success';
    if (outcome === 'rejected') return 'failure';
    return outcome;
  }
  if (outcome === 'success') return 'approved';
  if (outcome === 'failure') return 'rejected';
  return outcome;
}

export function backoffMs(node: ResolvedNode, failedAttempt: number): number {
  const { initialMs, coefficient, maxMs } = node.retry;
  return Math.min(maxMs, Math.round(initialMs * Math.pow(coefficient, Math.max(0, failedAttempt - 1))));
}
