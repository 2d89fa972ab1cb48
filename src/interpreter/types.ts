/**
 * State and commands of the pure interpreter. Everything here is plain JSON: the state is the
 * `state` query's answer and what continue-as-new carries; a Step is what the workflow shell
 * must do next (run a turn, wait for a decision, sleep, fork, end).
 */
import type { TurnUsage } from '../shared/agent-loop';
import type { Condition } from '../dsl/types';
import type { AgentOutcome, AgentTurnInput, AgentTurnResult } from '../shared/agent';
import type { BeadInput } from '../shared/bead';

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
  /** Set once this attempt's current dispatch was counted (a resumed run re-issues its step uncounted). */
  counted?: boolean;
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

/** An agent turn the shell must run: its built input (the shell adds the bead's workspace) and where it runs. */
export interface TurnPlan {
  input: AgentTurnInput;
  /** How long the turn may wait for a worker of its role (role_wait), when the node sets one. */
  roleWaitMs?: number;
  /** Dispatches of this node so far, this one included: names a model turn's agentLoop child. */
  dispatchIndex: number;
}

/** What the workflow shell must do next for one cursor. */
export type Step =
  | ({ kind: 'turn'; cursor: string; node: string; role: string; attempt: number; dispatch: number; deadline: number } & TurnPlan)
  | {
      kind: 'approval';
      cursor: string;
      node: string;
      role: string;
      agentReview: boolean;
      humanAllowed: boolean;
      deadline: number;
      /** The reviewer agent's turn, when `agentReview`. */
      review?: TurnPlan;
    }
  | ({
      kind: 'commit';
      cursor: string;
      node: string;
      role: string;
      attempt: number;
      deadline: number;
      leaseMs?: number;
      /** `on_conflict: resolve`: who resolves a conflicting rebase, and how many times. */
      onConflict?: { role: string; maxResolutions: number };
    } & TurnPlan)
  /** Run a pinned child definition as a child bead (the shell adds the run options) and wait for its end. */
  | { kind: 'subworkflow'; cursor: string; node: string; attempt: number; deadline: number; childId: string; input: BeadInput }
  | { kind: 'backoff'; cursor: string; node: string; ms: number; deadline: number }
  | { kind: 'fork'; cursor: string; node: string; branches: string[]; merge: string; wait: 'all' | 'first' }
  /** The fork's branches started: one first Step per branch. */
  | { kind: 'branches'; cursor: string; steps: Step[] }
  | { kind: 'arrived'; cursor: string; node: string; failed: boolean }
  | { kind: 'escalated'; cursor: string; record: EscalationRecord; child?: EscalationChild }
  | { kind: 'end'; status: FinalStatus; reason: string };

/** The CEO-decision child bead an open escalation asks for (the definition's `escalation.child_bead`). */
export interface EscalationChild {
  /** The escalation's number in this bead (names the child uniquely). */
  seq: number;
  /** What runs recorded before `escalationSeq` existed numbered it by: escalations in the history window. */
  legacySeq: number;
}

/**
 * What the shell reports to the interpreter: `apply(event)` answers each with the next Step. Every
 * event carries `at`, the workflow's clock (Date.now() in workflow code), so the rules stay pure.
 */
export type BeadEvent =
  | { type: 'begin'; at: number }
  /** After continue-as-new: the step the main cursor was about to take. */
  | { type: 'resume'; at: number }
  | { type: 'turnDone'; cursor: string; result: AgentTurnResult; startedAt: number; at: number }
  /** The turn's activity failed after its own retries, or no worker of the role picked it up (`noWorkerAfterMs`). */
  | { type: 'turnFailed'; cursor: string; message: string; startedAt: number; noWorkerAfterMs?: number; at: number }
  /** The node's whole-node deadline passed; whatever ran for it was cancelled. */
  | { type: 'deadline'; cursor: string; at: number }
  | { type: 'backoffDone'; cursor: string; at: number }
  /** A commit's conflict survived every resolution turn (`max_resolutions`). */
  | { type: 'commitConflict'; cursor: string; result: AgentTurnResult; files: string[]; startedAt: number; at: number }
  /** Apply the decision a `decision` message left due on this cursor. */
  | { type: 'decisionDue'; cursor: string; at: number }
  /** Apply the override an `override` message left due (the main cursor's open escalation). */
  | { type: 'overrideDue'; at: number }
  /** Start the fork's branches: answered with a `branches` Step. */
  | { type: 'fork'; cursor: string; at: number }
  | { type: 'joined'; cursor: string; results: BranchResult[]; at: number }
  /** A subworkflow node's child bead ended (`unknown`: it could not be started or its result read). */
  | {
      type: 'subworkflowDone';
      cursor: string;
      childId: string;
      status: FinalStatus | 'unknown';
      reason: string;
      startedAt: number;
      at: number;
    }
  | { type: 'cancelled'; by: string; reason: string; at: number };

/** What arrives from outside while steps run: answered with a Receipt, never a Step. */
export type BeadMessage =
  | { type: 'decision'; decision: Decision; at: number }
  | { type: 'override'; override: Override; at: number }
  /** A decision, override or cancel refused before it reached the rules (fields already bounded). */
  | { type: 'refused'; by: string; node?: string; outcome: string; why: string; at: number }
  | { type: 'escalationChild'; beadId: string; at: number };

export interface Receipt {
  accepted: boolean;
  why?: string;
  /** What the shell must wake: the cursor whose decision is now due, or `override`. */
  due?: string;
}

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
