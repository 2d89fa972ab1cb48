/** The Step a cursor's node asks for once the cursor is on it. Pure: reads the state, changes nothing. */
import type { ResolvedDefinition, ResolvedNode } from '../dsl/types';
import type { Bead } from '../shared/bead';
import { forkBranches, mergeOf } from './routing';
import { buildTurnInput } from './turn-input';
import type { Cursor, InterpreterState, Step, TurnPlan } from './types';

/** Whether the node's step runs an agent (and so counts a dispatch). */
export function dispatches(node: ResolvedNode): boolean {
  if (node.type === 'approval') return (node.approval?.mode ?? 'any') !== 'human';
  return node.type !== 'parallel' && node.type !== 'merge';
}

/** The turn as the shell runs it; `counted` dispatches of the node include this one. */
export function turnPlan(state: InterpreterState, bead: Bead, node: ResolvedNode, cursor: Cursor): TurnPlan {
  const dispatchIndex = state.nodeDispatches[node.key] ?? 0;
  // The agent sees the dispatches before its own (what scripted scenarios are indexed by).
  const input = buildTurnInput(state, bead, node, cursor);
  input.dispatchIndex = dispatchIndex - 1;
  return { input, dispatchIndex, ...(node.roleWaitMs ? { roleWaitMs: node.roleWaitMs } : {}) };
}

/** The step of a node other than a merge (which routes straight through: the interpreter's job). */
export function nodeStep(def: ResolvedDefinition, node: ResolvedNode, c: Cursor, plan: () => TurnPlan): Step {
  switch (node.type) {
    case 'approval': {
      const mode = node.approval?.mode ?? 'any';
      const agentReview = mode !== 'human';
      return {
        kind: 'approval',
        cursor: c.id,
        node: node.key,
        role: node.role,
        agentReview,
        humanAllowed: mode !== 'agent',
        deadline: c.deadline,
        ...(agentReview ? { review: plan() } : {}),
      };
    }
    case 'commit':
      return {
        kind: 'commit',
        cursor: c.id,
        node: node.key,
        role: node.role,
        attempt: c.attempt,
        deadline: c.deadline,
        ...(node.leaseMs !== undefined ? { leaseMs: node.leaseMs } : {}),
        ...(node.onConflict ? { onConflict: node.onConflict } : {}),
        ...plan(),
      };
    case 'parallel': {
      const merge = mergeOf(def, node.key);
      return {
        kind: 'fork',
        cursor: c.id,
        node: node.key,
        branches: forkBranches(def, node.key),
        merge: merge?.key ?? '',
        wait: merge?.merge?.wait ?? 'all',
      };
    }
    default:
      return {
        kind: 'turn',
        cursor: c.id,
        node: node.key,
        role: node.role,
        attempt: c.attempt,
        dispatch: c.dispatch,
        deadline: c.deadline,
        ...plan(),
      };
  }
}
