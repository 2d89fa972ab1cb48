/** Edge selection: which edge a node's outcome takes. Pure. */
import type { Condition, ResolvedDefinition, ResolvedEdge, ResolvedNode } from '../dsl/types';
import type { EscalationReason, NodeOutcome } from './types';

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

/** Why a node gave up on its normal route. */
export type FailureCause =
  | { kind: 'outcome'; outcome: NodeOutcome } // no edge for the outcome the node produced
  | { kind: 'attempts' } // the last attempt failed
  | { kind: 'timeout'; approval: boolean } // the whole-node deadline passed
  | { kind: 'no_worker' } // no worker of the role picked the turn up within role_wait
  | { kind: 'branch' } // a fork's branches failed, seen at the merge
  | { kind: 'conflict' }; // a commit's conflict survived every resolution turn

export interface Fallback {
  /** Outcomes whose edges are tried in order (each as `selectEdge` ranks them); the first found is taken. */
  tries: NodeOutcome[];
  /** Else: an escalation with this reason (its `escalated` edge if the node has one, else open). */
  escalate: EscalationReason;
}

/** The one table of what a node does when its normal route fails, per cause. */
export function fallbackFor(cause: FailureCause): Fallback {
  switch (cause.kind) {
    case 'outcome': {
      const failing = cause.outcome === 'rejected' || cause.outcome === 'failure';
      return { tries: failing ? [cause.outcome, 'escalated'] : [cause.outcome], escalate: 'no_route' };
    }
    case 'attempts':
      return { tries: ['failure'], escalate: 'attempts' };
    case 'timeout':
      // No decision is not a failure of the work: an approval's timeout never takes its failure edge.
      return { tries: cause.approval ? ['timeout'] : ['timeout', 'failure', 'escalated'], escalate: 'timeout' };
    case 'no_worker':
      return { tries: ['timeout'], escalate: 'no_worker_for_role' };
    case 'branch':
      return { tries: ['failure', 'escalated'], escalate: 'branch' };
    case 'conflict':
      // A person decides, whatever the failure edge says: only the escalated edge (inside escalate) applies.
      return { tries: [], escalate: 'conflict' };
  }
}

/** The first edge of the fallback's tries that exists. */
export function fallbackEdge(def: ResolvedDefinition, from: string, fallback: Fallback): ResolvedEdge | undefined {
  for (const outcome of fallback.tries) {
    const edge = selectEdge(def, from, outcome);
    if (edge) return edge;
  }
  return undefined;
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
