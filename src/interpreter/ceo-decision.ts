/**
 * The built-in definition of a "CEO decision" bead: one approval by the CEO. Started as a child
 * when a run escalates and its definition says `escalation: { child_bead: true }`, so the
 * decision shows up in the CEO's queue (RequiredRole = ceo) with the escalation record attached.
 */
import type { ResolvedDefinition } from '../dsl/types';
import { DEFAULTS } from '../dsl/types';
import type { Bead } from '../shared/bead';
import type { EscalationRecord } from './types';

export const CEO_DECISION_DEFINITION: ResolvedDefinition = {
  id: 'ceo-decision',
  name: 'CEO decision',
  description: 'Decide what an escalated bead does next',
  workflowType: 'ceo-decision',
  isDefault: false,
  nodes: [
    {
      key: 'ceo_decision',
      type: 'approval',
      role: 'CEO',
      instructions: 'Read the escalation and decide: retry, goto a node, continue, or abort (npx beadflow override).',
      maxAttempts: 1,
      timeoutMs: 0,
      retry: DEFAULTS.retry,
      maxCycles: DEFAULTS.maxCycles,
      maxDispatches: DEFAULTS.maxDispatches,
      approval: { approvers: ['CEO'], mode: 'human' },
      metadata: {},
    },
  ],
  edges: [
    { from: '', to: 'ceo_decision', condition: 'success', priority: 100 },
    { from: 'ceo_decision', to: '', condition: 'approved', priority: 100 },
    { from: 'ceo_decision', to: '', condition: 'rejected', priority: 100 },
  ],
  maxHops: DEFAULTS.maxHops,
  escalation: { childBead: false },
};

export function ceoDecisionBead(parent: Bead, record: EscalationRecord, n: number): Bead {
  return {
    id: `${parent.id}-ceo-${n}`,
    title: `CEO decision: ${parent.title}`.slice(0, 200),
    type: 'ceo-decision',
    description: [
      `Bead ${parent.id} escalated at node "${record.node}" (${record.reason}): ${record.detail}`,
      `Attempts ${record.attempts}, cycles ${record.cycles}.`,
      `Decide with: npx beadflow override ${parent.id} --by CEO --action retry|goto|continue|abort [--node N]`,
    ].join('\n'),
    priority: 'P0',
    labels: ['escalation'],
    parentId: parent.id,
  };
}
