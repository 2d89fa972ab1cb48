/**
 * Signals, Updates and queries of beadWorkflow: the names users and scripts depend on
 * (docs/architecture.md). One module shared by the workflow and every client (CLI, web page,
 * tests), so nobody spells a message name as a string.
 *
 * Decisions exist twice with the same names and payloads: as signals (fire and forget; a refusal
 * is recorded in the bead's history) and as Updates (the validator refuses with the reason and
 * writes nothing; an accepted Update returns the edge taken and the new state).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Condition } from '../dsl/types';
import type { EscalationRecord, HistoryEntry, BeadStatus } from '../interpreter/types';
import { ERROR_TYPES } from '../shared/errors';

export interface DecisionPayload {
  by: string;
  reason?: string;
  requestId?: string;
  /** Optional: the approval node meant (defaults to the one waiting). */
  node?: string;
  /** CEO-decision beads only: what the escalated parent does (default approve = continue, reject = abort); `target` for goto. */
  action?: OverrideAction;
  target?: string;
}

export type OverrideAction = 'retry' | 'goto' | 'continue' | 'abort';

export interface OverridePayload {
  by: string;
  action: OverrideAction;
  node?: string;
  reason?: string;
  requestId?: string;
}

/** Who cancelled a bead and why; sent just before Temporal's own cancellation request. */
export interface CancelPayload {
  by: string;
  reason: string;
}

export interface BeadState {
  beadId: string;
  definitionId: string;
  title: string;
  type: string;
  status: BeadStatus;
  currentNode: string;
  /** Who must act now: the current node's role (the approver's for approvals). */
  requiredRole: string;
  cycleCount: number;
  attempts: number;
  dispatchCount: number;
  history: HistoryEntry[];
  escalation?: EscalationRecord;
  feedback?: string;
  /** Nodes of parallel branches in flight. */
  branches: Array<{ id: string; node: string }>;
  endReason?: string;
}

/** What an accepted decision Update returns. A refused one fails with an ApplicationFailure of type `DecisionRefused`. */
export interface DecisionResult {
  beadId: string;
  /** The node the decision applied to (the approval node, or the escalated node for an override). */
  node: string;
  /** `approved`, `rejected`, or the override's action. */
  decision: 'approved' | 'rejected' | OverrideAction;
  /** The edge the bead took because of it; absent when it re-entered a node (retry/goto) or ended without one. */
  edge?: { from: string; to: string; condition: Condition };
  status: BeadStatus;
  currentNode: string;
  state: BeadState;
}

export const approveSignal = defineSignal<[DecisionPayload]>('approve');
export const rejectSignal = defineSignal<[DecisionPayload]>('reject');
export const overrideSignal = defineSignal<[OverridePayload]>('override');
export const cancelSignal = defineSignal<[CancelPayload]>('cancel');

export const approveUpdate = defineUpdate<DecisionResult, [DecisionPayload]>('approve');
export const rejectUpdate = defineUpdate<DecisionResult, [DecisionPayload]>('reject');
export const overrideUpdate = defineUpdate<DecisionResult, [OverridePayload]>('override');

export const stateQuery = defineQuery<BeadState>('state');

/** Error type of a refused decision Update (validator refusal): the message says why and what to do. */
export const DECISION_REFUSED = ERROR_TYPES.decisionRefused;
