/**
 * Subworkflow nodes: the child bead a node runs (its id, bead and pinned definition) and how the
 * child's end maps to the node's outcome. Pure: the shell starts the child and reports its end.
 */
import type { ResolvedDefinition, ResolvedNode } from '../dsl/types';
import type { Bead, BeadInput } from '../shared/bead';
import type { Cursor, FinalStatus, InterpreterState, Step } from './types';

/** A child bead's workflow id: the parent's id, the node, and the node's dispatch number (unique per attempt). */
export function subworkflowChildId(parentId: string, node: string, n: number): string {
  return `${parentId}/sub/${node}/${n}`;
}

/** Only a completed child is a success: failed, aborted, escalated and cancelled children fail the node. */
export function subworkflowOutcome(status: FinalStatus | 'unknown'): 'success' | 'failure' {
  return status === 'completed' ? 'success' : 'failure';
}

/** The pinned child definition, carrying the root's pins so its own subworkflow nodes resolve too. */
export function pinnedChild(def: ResolvedDefinition, id: string): ResolvedDefinition | undefined {
  const child = def.subworkflows?.[id];
  return child ? { ...child, subworkflows: def.subworkflows } : undefined;
}

export function subworkflowStep(def: ResolvedDefinition, state: InterpreterState, bead: Bead, node: ResolvedNode, c: Cursor): Step {
  const id = node.subworkflow?.definition ?? '';
  const definition = pinnedChild(def, id);
  if (!definition) throw new Error(`subworkflow node "${node.key}": definition "${id}" was not pinned at start`);
  const childId = subworkflowChildId(bead.id, node.key, state.nodeDispatches[node.key] ?? 1);
  const child: Bead = {
    id: childId,
    title: `${bead.title} / ${node.key}`.slice(0, 200),
    type: definition.workflowType,
    description: [node.instructions, bead.description].filter(Boolean).join('\n\n'),
    priority: bead.priority,
    labels: [...bead.labels],
    parentId: bead.id,
    ...(bead.repo !== undefined ? { repo: bead.repo } : {}),
    ...(bead.targetBranch !== undefined ? { targetBranch: bead.targetBranch } : {}),
    // Scripted runs: the child's nodes read the same scenario (keyed by node).
    ...(bead.scenario !== undefined ? { scenario: bead.scenario } : {}),
  };
  const input: BeadInput = { bead: child, definition };
  return { kind: 'subworkflow', cursor: c.id, node: node.key, attempt: c.attempt, deadline: c.deadline, childId, input };
}
