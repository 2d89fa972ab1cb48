/** Whether an approval decision or a CEO override may be applied. Pure; every refusal is explained. */
import type { ResolvedDefinition } from '../dsl/types';
import { sameRole } from '../shared/roles';
import type { Cursor, Decision, InterpreterState, Override } from './types';

export type Verdict = { ok: true; cursor?: Cursor } | { ok: false; kind: 'ignored' | 'refused'; why: string };

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase() || sameRole(a, b);
}

export function judgeDecision(def: ResolvedDefinition, state: InterpreterState, d: Decision, waiting: Cursor[]): Verdict {
  if (!d.by || !d.by.trim()) return { ok: false, kind: 'refused', why: 'a decision must say who made it ("by")' };
  if (d.requestId && state.seenRequestIds.includes(d.requestId)) {
    return { ok: false, kind: 'ignored', why: `duplicate request ${d.requestId}` };
  }
  const candidates = d.node ? waiting.filter((c) => c.node === d.node) : waiting;
  const cursor = candidates.find((c) => !c.pendingDecision);
  if (!cursor) {
    const where = d.node ? `node "${d.node}" is` : 'no approval node is';
    return { ok: false, kind: 'ignored', why: `${where} not waiting for a decision (bead status ${state.status})` };
  }
  const node = def.nodes.find((n) => n.key === cursor.node);
  const approvers = node?.approval?.approvers ?? [];
  if (d.source === 'person' && node?.approval?.mode === 'agent') {
    return { ok: false, kind: 'refused', why: `node "${cursor.node}" is decided by its reviewer agent only` };
  }
  if (approvers.length > 0 && !approvers.some((a) => same(a, d.by))) {
    return { ok: false, kind: 'refused', why: `${d.by} may not decide "${cursor.node}" (approvers: ${approvers.join(', ')})` };
  }
  return { ok: true, cursor };
}

export function judgeOverride(def: ResolvedDefinition, state: InterpreterState, o: Override): Verdict {
  if (o.requestId && state.seenRequestIds.includes(o.requestId)) {
    return { ok: false, kind: 'ignored', why: `duplicate request ${o.requestId}` };
  }
  if (!o.by || !sameRole(o.by, 'CEO')) {
    return { ok: false, kind: 'refused', why: `only the CEO may override an escalation (got "${o.by ?? ''}")` };
  }
  if (state.status !== 'escalated' || !state.escalation || state.escalation.resolution) {
    return { ok: false, kind: 'ignored', why: `the bead is not escalated (status ${state.status})` };
  }
  if (!['retry', 'goto', 'continue', 'abort'].includes(o.action)) {
    return { ok: false, kind: 'refused', why: `unknown action "${o.action}" (use retry, goto, continue or abort)` };
  }
  if (o.action === 'goto' && !def.nodes.some((n) => n.key === o.node)) {
    return { ok: false, kind: 'refused', why: `goto needs an existing node (got "${o.node ?? ''}")` };
  }
  return { ok: true };
}

export function remember(state: InterpreterState, requestId: string | undefined): void {
  if (!requestId) return;
  state.seenRequestIds.push(requestId);
  // Bounded: duplicates arrive close together; a window of recent ids is enough.
  if (state.seenRequestIds.length > 200) state.seenRequestIds.splice(0, state.seenRequestIds.length - 200);
}
