/** Activity signatures, imported by workflow code as types only (the determinism boundary). */
import type { AgentTurnInput, AgentTurnResult, TurnWorkspace } from '../shared/agent';
import type { AgentLoopPlan } from '../shared/agent-loop';

export interface AgentActivities {
  /** One agent turn; runs on the task queue of the node's role. */
  agentTurn(input: AgentTurnInput): Promise<AgentTurnResult>;
  /** A commit node's conflict-resolution turn; runs on the task queue of the node's integration role. */
  resolveConflict(input: ResolveConflictInput): Promise<ResolveConflictResult>;
}

export interface ResolveConflictInput {
  beadId: string;
  bead: AgentTurnInput['bead'];
  /** The commit node whose squash conflicted. */
  node: string;
  role: string;
  /** 1-based resolution of this commit visit, and the most it may take. */
  round: number;
  maxRounds: number;
  workspace: TurnWorkspace;
  targetBranch: string;
  scenario?: Record<string, string[]>;
  /** The workflow runs a model agent's resolution as an `agentLoop` child when the activity hands it a plan. */
  canLoop?: boolean;
}

export interface ResolveConflictResult {
  /** The merge was concluded and pushed to the bead's ref: the commit can be retried. */
  resolved: boolean;
  /** The bead's commit after the turn (the resolution's merge commit, or the recorded one). */
  head: string;
  summary: string;
  agent: string;
  /** The files that conflicted when the turn started (what an escalation names). */
  files: string[];
  /** Model agents: the worktree is mid-merge on this host; the workflow runs the resolution's loop (resolved is false until it ends). */
  loop?: AgentLoopPlan;
}
