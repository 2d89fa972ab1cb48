/** The contract between the interpreter and every agent provider (one activity: `agentTurn`). */
import type { AgentLimits, AgentLoopPlan, TurnUsage } from './agent-loop';
import type { FollowUp } from './follow-ups';

export const AGENT_OUTCOMES = ['success', 'failure', 'approved', 'rejected', 'redispatch'] as const;
export type AgentOutcome = (typeof AGENT_OUTCOMES)[number];

export interface AgentTurnInput {
  beadId: string;
  bead: { title: string; description: string; type: string; priority: string; labels: string[] };
  node: {
    key: string;
    type: string;
    role: string;
    personaHint?: string;
    instructions: string;
    verify?: { command: string[] };
    /** Model agents: the node's max_tool_calls and max_tokens. */
    limits?: AgentLimits;
    /** argv of the model agent's run_tests tool (the node's or `defaults:` test_command). */
    testCommand?: string[];
  };
  /** 1-based attempt within the current visit of the node. */
  attempt: number;
  /** 1-based dispatch within the current attempt (redispatches add one). */
  dispatch: number;
  /** How many times this node was dispatched before in this bead: indexes scripted scenarios. */
  dispatchIndex: number;
  /** The last rejection's reason, carried into the next turn as feedback. */
  feedback?: string;
  /** One line per earlier move, oldest first. */
  historySummary: string[];
  /** Summaries of earlier dispatches of this attempt (redispatch context). */
  context: string[];
  scenario?: Record<string, string[]>;
  /** The bead's git worktree: set by the turn activity on the host that runs it (older runs: in the input). */
  worktree?: string;
  /** Where the bead's work is (remote, ref, the recorded commit): the turn makes its own worktree from it. */
  workspace?: TurnWorkspace;
  /** The workflow runs a model agent's turn as an `agentLoop` child when the activity hands it a plan. */
  canLoop?: boolean;
}

/** A bead's work as a turn finds it: the ref on the remote and the commit the workflow recorded. */
export interface TurnWorkspace {
  upstream: string;
  ref: string;
  /** The commit the turn starts from; its push leases on it. */
  head: string;
}

export interface AgentTurnResult {
  outcome: AgentOutcome;
  summary: string;
  /** Which provider/agent produced it (e.g. `scripted`, `command:/usr/bin/agent`). */
  agent: string;
  /** The commit the bead's work is at after the turn (turns with a workspace); the workflow records it. */
  head?: string;
  /** Model agents: model calls, tool calls and tokens the turn spent. */
  usage?: TurnUsage;
  /** Model agents: the worktree is ready on this host; the workflow runs the turn's loop (never set with a final outcome). */
  loop?: AgentLoopPlan;
  /**
   * Beads the agent asks to file (its answer's `follow_ups`, checked and capped). The workflow does
   * not read them: they stay in the activity's result in Temporal's history, where the backlog loop reads them.
   */
  followUps?: FollowUp[];
  /** Follow-ups left out, and why. */
  followUpWarnings?: string[];
}
