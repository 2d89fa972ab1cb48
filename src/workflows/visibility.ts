/** What the outside sees of a bead: the `state` query, search attributes, the Web UI's details. */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Interpreter } from '../interpreter';
import { MAIN } from '../interpreter';
import type { Bead } from '../shared/bead';
import { roleSlug } from '../shared/roles';
import type { BeadState } from './messages';
import { escapeControls } from '../interpreter/intake';

export class Visibility {
  private last = '';
  private lastDetails = '';

  constructor(
    private readonly interp: Interpreter,
    private readonly bead: Bead,
  ) {}

  snapshot(): BeadState {
    const s = this.interp.state;
    return {
      beadId: s.beadId,
      definitionId: s.definitionId,
      title: this.bead.title,
      type: this.bead.type,
      status: s.status,
      currentNode: s.currentNode,
      requiredRole: this.requiredRole(),
      cycleCount: s.cycleCount,
      attempts: s.attempts,
      dispatchCount: s.dispatchCount,
      history: s.history,
      escalation: s.escalation,
      feedback: s.feedback,
      branches: s.cursors.filter((c) => c.id !== MAIN).map((c) => ({ id: c.id, node: c.node })),
      endReason: s.endReason,
    };
  }

  private requiredRole(): string {
    const s = this.interp.state;
    if (['completed', 'failed', 'aborted', 'cancelled'].includes(s.status)) return '';
    if (s.status === 'escalated') return 'CEO';
    const node = this.interp.def.nodes.find((n) => n.key === s.currentNode);
    return node?.role ?? '';
  }

  /** Upserts only what changed: every upsert is a history event, and beads move often. */
  publish(): void {
    const s = this.interp.state;
    const role = this.requiredRole();
    const waiting =
      s.status === 'waiting_approval' ? ` — waiting for ${role}` : s.status === 'escalated' ? ' — escalated, waiting for the CEO' : '';
    // Details are workflow metadata, not history events: kept current on every change (counts included).
    const details = `**${escapeControls(this.bead.title)}**\n\nnode \`${s.currentNode || '-'}\`${role ? ` · role ${role}` : ''} · status ${s.status}${waiting} · attempt ${s.attempts} · cycles ${s.cycleCount} · dispatches ${s.dispatchCount}`;
    if (details !== this.lastDetails) {
      this.lastDetails = details;
      setCurrentDetails(details);
    }
    const key = `${s.status}|${s.currentNode}|${role}`;
    if (key === this.last) return;
    const first = this.last === '';
    this.last = key;
    upsertSearchAttributes({
      ...(first ? { BeadId: [this.bead.id], BeadType: [this.bead.type] } : {}),
      BeadStatus: [s.status],
      CurrentNode: [s.currentNode || '-'],
      RequiredRole: [role ? roleSlug(role) : '-'],
    });
  }
}
