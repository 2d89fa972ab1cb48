import type { ResolvedNode } from '../dsl/types';
import type { AgentTurnInput } from '../shared/agent';
import type { Bead } from '../shared/bead';
import { historySummary } from './history';
import type { Cursor, InterpreterState } from './types';

/** What an agent sees for one turn: the node, the bead, the story so far and the last rejection. */
export function buildTurnInput(state: InterpreterState, bead: Bead, node: ResolvedNode, cursor: Cursor, worktree?: string): AgentTurnInput {
  return {
    beadId: bead.id,
    bead: { title: bead.title, description: bead.description, type: bead.type, priority: bead.priority, labels: bead.labels },
    node: {
      key: node.key,
      type: node.type,
      role: node.role,
      personaHint: node.personaHint,
      instructions: node.instructions,
      verify: node.verify,
      ...(node.maxToolCalls !== undefined && node.maxTokens !== undefined
        ? { limits: { maxToolCalls: node.maxToolCalls, maxTokens: node.maxTokens } }
        : {}),
      ...(node.testCommand ? { testCommand: node.testCommand } : {}),
    },
    attempt: cursor.attempt,
    dispatch: cursor.dispatch,
    dispatchIndex: state.nodeDispatches[node.key] ?? 0,
    feedback: state.feedback,
    historySummary: historySummary(state),
    context: [...cursor.context],
    scenario: bead.scenario,
    worktree,
  };
}
