/** Signals and queries of beadWorkflow: the names users and scripts depend on (ARCHITECTURE.md). */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EscalationRecord, HistoryEntry, BeadStatus } from '../interpreter/types';

export interface DecisionPayload {
  by: string;
  reason?: string;
  requestId?: string;
  /** Optional: the approval node meant (defaults to the one waiting). */
  node?: string;
}

export interface OverridePayload {
  by: string;
  action: 'retry' | 'goto' | 'continue' | 'abort';
  node?: string;
  reason?: string;
  requestId?: string;
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

export const approveSignal = defineSignal<[DecisionPayload]>('approve');
export const rejectSignal = defineSignal<[DecisionPayload]>('reject');
export const overrideSignal = defineSignal<[OverridePayload]>('override');
export const stateQuery = defineQuery<BeadState>('state');
