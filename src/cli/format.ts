/** Human output for beads: one line per history entry, a short block for a state. */
import type { HistoryEntry } from '../interpreter/types';
import type { BeadState } from '../workflows/messages';

export function formatEntry(h: HistoryEntry): string {
  const time = new Date(h.endedAt).toISOString().slice(11, 19);
  const branch = h.branch ? ` [${h.branch}]` : '';
  switch (h.kind) {
    case 'move':
      return `${time}  ${h.node || '(start)'} --${h.condition}--> ${h.to || '(end)'}${branch}`;
    case 'turn':
      return `${time}  ${h.node}: ${h.outcome} (attempt ${h.attempt}, dispatch ${h.dispatch}, ${h.actor ?? 'agent'}${spent(h)}) ${h.summary}${branch}`;
    case 'decision':
      return `${time}  ${h.node}: ${h.outcome} by ${h.actor}${h.summary ? `: ${h.summary}` : ''}${branch}`;
    default:
      return `${time}  ${h.kind} ${h.node}${h.outcome ? ` ${h.outcome}` : ''}: ${h.summary}${branch}`;
  }
}

/** A model turn's spending: ", 4 model calls, 3 tool calls, 480 tokens". */
function spent(h: HistoryEntry): string {
  const u = h.usage;
  return u ? `, ${u.modelCalls} model calls, ${u.toolCalls} tool calls, ${u.totalTokens} tokens` : '';
}

export function formatState(s: BeadState): string {
  const lines = [
    `bead        ${s.beadId}  "${s.title}"`,
    `definition  ${s.definitionId} (type ${s.type})`,
    `status      ${s.status}${s.endReason ? ` — ${s.endReason}` : ''}`,
    `node        ${s.currentNode || '-'}${s.requiredRole ? `  (waiting on ${s.requiredRole})` : ''}`,
    `counts      attempts ${s.attempts}, cycles ${s.cycleCount}, dispatches ${s.dispatchCount}`,
  ];
  if (s.escalation && !s.escalation.resolution) {
    lines.push(
      `escalation  ${s.escalation.reason}: ${s.escalation.detail}`,
      `            options: ${s.escalation.options.join(', ')} (npx beadflow override ${s.beadId} --by CEO --action ...)`,
    );
  }
  const turns = s.history.filter((h) => h.usage);
  if (turns.length) {
    const sum = (k: 'modelCalls' | 'toolCalls' | 'totalTokens') => turns.reduce((n, h) => n + (h.usage?.[k] ?? 0), 0);
    lines.push(
      `model       ${sum('modelCalls')} model calls, ${sum('toolCalls')} tool calls, ${sum('totalTokens')} tokens over ${turns.length} turn(s)`,
    );
  }
  if (s.feedback) lines.push(`feedback    ${s.feedback}`);
  if (s.branches.length) lines.push(`branches    ${s.branches.map((b) => `${b.id}@${b.node}`).join(', ')}`);
  lines.push('history');
  for (const h of s.history) lines.push(`  ${formatEntry(h)}`);
  return lines.join('\n');
}

const quoted = (text: string) => (/^[\w.-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, '\\$1')}"`);

/** What a parked bead waits for, and the command that decides it. */
export function parkedLine(s: BeadState): string {
  if (s.status === 'escalated') {
    const why = s.escalation ? ` (${s.escalation.reason}: ${s.escalation.detail})` : '';
    return `parked: ${s.beadId} is escalated at ${s.escalation?.node ?? s.currentNode}${why}; the CEO decides with: npx beadflow override ${s.beadId} --by CEO --action ${(s.escalation?.options ?? ['retry', 'goto', 'continue', 'abort']).join('|')}`;
  }
  const who = s.requiredRole || 'an approver';
  return `parked: ${s.beadId} waits at ${s.currentNode} for ${who}; decide with: npx beadflow approve ${s.beadId} --by ${quoted(who)} (or reject ... --reason "what must change")`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
