/**
 * State and commands of the pure interpreter. Everything here is plain JSON: the state is the
 * `state` query's answer and what continue-as-new carries; a Step is what the workflow shell
 * must do next (run a turn, wait for a decision, sleep, fork, end).
 */
import type { TurnUsage } from '../shared/agent-loop';
import type { Condition } from '../dsl/types';
import type { AgentOutcome } from '../shared/agent';

export const BEAD_STATUSES = ['running', 'waiting_approval', 'escalated', 'completed', 'failed', 'aborted', 'cancelled'] as const;
export type BeadStatus = (typeof BEAD_STATUSES)[number];
export type FinalStatus = Extract<BeadStatus, 'completed' | 'failed' | 'aborted' | 'escalated' | 'cancelled'>;

/** Outcome of a node visit, before routing. */
export type NodeOutcome = AgentOutcome | 'timeout' | 'escalated';

export type HistoryKind =
  | 'turn' // an agent turn finished (success, failure, redispatch, verdict)
  | 'decision' // a person's or reviewer's approval decision was applied
  | 'ignored' // a decision or override that arrived but was not applied (duplicate, late, refused)
  | 'move' // an edge was taken
  | 'retry' // a failed attempt will be retried after a backoff
  | 'timeout'
  | 'escalation'
  | 'override'
  | 'fork'
  | 'join'
  | 'note';

export interface HistoryEntry {
  seq: number;
  kind: HistoryKind;
  node: string;
  role?: string;
  /** Agent name, approver, or CEO. */
  actor?: string;
  outcome?: string;
  /** Condition of the edge taken (kind `move`). */
  condition?: Condition;
  to?: string;
  attempt?: number;
  dispatch?: number;
  branch?: string;
  startedAt?: number;
  endedAt: number;
  summary: string;
  /** Model agents' turns: model calls, tool calls and tokens spent. */
  usage?: TurnUsage;
}

export type EscalationReason =
  'attempts' | 'cycles' | 'hops' | 'timeout' | 'dispatches' | 'no_route' | 'branch' | 'no_worker_for_role' | 'conflict';

export interface EscalationRecord {
  node: string;
  reason: EscalationReason;
  detail: string;
  attempts: number;
  cycles: number;
  at: number;
  options: Array<'retry' | 'goto' | 'continue' | 'abort'>;
  /** Child "CEO decision" bead, when the definition asks for one. */
  childBeadId?: string;
  /** How it ended: the override applied, or the escalated edge taken. */
  resolution?: string;
}

/** One thread of execution: the main line, or one branch of a parallel fork. */
export interface Cursor {
  id: string;
  node: string;
  attempt: number;
  dispatch: number;
  enteredAt: number;
  /** Whole-node deadline (epoch ms), or 0 for none. */
  deadline: number;
  /** Summaries of this attempt's earlier dispatches (redispatch context). */
  context: string[];
  /** Branch cursors stop when they reach this merge node. */
  stopAt?: string;
  /** True while an approval node waits for a decision. */
  waiting?: boolean;
  /** Set while an approval node waits: the accepted decision the shell must apply. */
  pendingDecision?: Decision;
  /** Branch cursors: whether the branch took a failing route. */
  failed?: boolean;
}

export interface Decision {
  approve: boolean;
  by: string;
  reason: string;
  requestId?: string;
  node?: string;
  /** 'person' for signals, 'agent' for a reviewer agent's turn. */
  source: 'person' | 'agent';
  /** CEO-decision beads: what the parent should do (default: approve = continue, reject = abort), and the node for goto. */
  action?: Override['action'];
  target?: string;
}

/** The last person's decision a bead applied: what a CEO-decision bead hands to its parent. */
export interface AppliedPersonDecision {
  by: string;
  approve: boolean;
  reason: string;
  action?: Override['action'];
  target?: string;
}

export interface Override {
  by: string;
  action: 'retry' | 'goto' | 'continue' | 'abort';
  node?: string;
  reason?: string;
  requestId?: string;
}

export interface InterpreterState {
  beadId: string;
  definitionId: string;
  status: BeadStatus;
  currentNode: string;
  /** Most times any node was re-entered (how often the busiest loop went round). */
  cycleCount: number;
  /** Attempt number of the main cursor's node. */
  attempts: number;
  /** Agent turns dispatched in this bead, all nodes. */
  dispatchCount: number;
  history: HistoryEntry[];
  /** Total history entries ever recorded (history itself keeps the most recent ones). */
  historyTotal: number;
  visits: Record<string, number>;
  reentries: Record<string, number>;
  /** Dispatches per node over the whole bead: indexes scripted scenarios. */
  nodeDispatches: Record<string, number>;
  hops: number;
  /** Edges taken by all cursors (what max_hops limits); absent in states from before it was counted. */
  transitions?: number;
  feedback?: string;
  escalation?: EscalationRecord;
  cursors: Cursor[];
  seenRequestIds: string[];
  /** Escalations so far (names CEO-decision child beads uniquely, whatever the history window keeps). */
  escalationSeq?: number;
  lastDecision?: AppliedPersonDecision;
  /** An accepted CEO override the shell has not applied yet. */
  pendingOverride?: Override;
  endReason?: string;
}

/** What the workflow shell must do next for one cursor. */
export type Step =
  | { kind: 'turn'; cursor: string; node: string; role: string; attempt: number; dispatch: number; deadline: number }
  | { kind: 'approval'; cursor: string; node: string; role: string; agentReview: boolean; humanAllowed: boolean; deadline: number }
  | { kind: 'commit'; cursor: string; node: string; role: string; attempt: number; deadline: number }
  | { kind: 'backoff'; cursor: string; node: string; ms: number; deadline: number }
  | { kind: 'fork'; cursor: string; node: string; branches: string[]; merge: string; wait: 'all' | 'first' }
  | { kind: 'arrived'; cursor: string; node: string; failed: boolean }
  | { kind: 'escalated'; cursor: string; record: EscalationRecord }
  | { kind: 'end'; status: FinalStatus; reason: string };

/** What became of an accepted decision or override. */
export interface AppliedDecision {
  /** The approval node decided, or the escalated node overridden. */
  node: string;
  /** The edge taken because of it (none when a node was re-entered or the run ended without one). */
  edge?: { from: string; to: string; condition: Condition };
  /** Set when it was accepted but could not be applied (the node timed out first, the bead ended). */
  dropped?: string;
}

export interface BranchResult {
  branch: string;
  failed: boolean;
  summary: string;
}
