/**
 * The bead's work as the workflow records it: which commit of `refs/beadflow/<bead>` each turn
 * starts from (sent in the turn's input) and ends at (returned in its result). Pure helpers for
 * effects.ts and commit-node.ts; the recorded head travels through continue-as-new with the
 * workspace.
 */
import type { Workspace } from '../activities/git/types';
import type { AgentTurnInput, AgentTurnResult } from '../shared/agent';

/** Adds the bead's ref and recorded commit to a turn's input (runs from older workers carry a worktree path instead). */
export function withWorkspace(input: AgentTurnInput, ws: Workspace | undefined): AgentTurnInput {
  if (!ws?.ref || !ws.head) return input;
  return { ...input, worktree: undefined, workspace: { upstream: ws.upstream, ref: ws.ref, head: ws.head } };
}

/** The workspace after a turn: its head moves to the commit the turn returned. */
export function afterTurn(ws: Workspace | undefined, result: AgentTurnResult): Workspace | undefined {
  if (!ws?.ref || typeof result.head !== 'string' || !/^[0-9a-f]{40,64}$/.test(result.head) || result.head === ws.head) return ws;
  return { ...ws, head: result.head };
}
