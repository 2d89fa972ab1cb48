/**
 * The JSON answer every external agent gives (command agents on their last stdout line, chat
 * models as their whole reply): `{"outcome": ..., "summary": ..., "redispatch"?: true}`.
 * One schema, so a command agent and a model are held to the same contract.
 */
import { z } from 'zod';
import type { AgentOutcome } from './agent';
import { AGENT_OUTCOMES } from './agent';
import type { FollowUp } from './follow-ups';
import { parseFollowUps } from './follow-ups';
import { LIMITS } from './limits';

const answerSchema = z.object({
  outcome: z.enum(AGENT_OUTCOMES),
  summary: z.string().optional(),
  /** Hand the node back for another dispatch (same attempt) instead of deciding now. */
  redispatch: z.boolean().optional(),
  /** Beads to file for later (the backlog loop files them); checked entry by entry, never a reason to refuse the answer. */
  follow_ups: z.unknown().optional(),
});

export interface AgentAnswer {
  outcome: AgentOutcome;
  summary: string;
  followUps?: FollowUp[];
  /** Follow-ups left out, and why (also noted at the end of the summary). */
  followUpWarnings?: string[];
}

export type ParsedAnswer = { ok: true; answer: AgentAnswer } | { ok: false; reason: string };

/** The contract in words, for prompts and repair requests. */
export const ANSWER_FORMAT = [
  'Answer with one JSON object and nothing else:',
  '{"outcome": "<one of: success, failure, approved, rejected>", "summary": "<what you did or decided, and why>"}',
  "Task nodes answer success or failure; approval and verify nodes answer approved or rejected (a rejection's summary says what must change).",
  'Add "redispatch": true to hand the node back for another turn with your summary as context.',
].join('\n');

/**
 * Told only to agents whose answers reach the backlog loop with their follow-ups (command agents
 * and presets); a model agent's turn ends in the workflow, which keeps only outcome and summary.
 */
export const FOLLOW_UPS_FORMAT =
  'To file work for later, add "follow_ups": [{"title": "...", "type": "bug|feature|ui|...", "priority": "P0..P4"}] (at most 10).';

/** Parses text that should be one JSON answer. Reasons are short and say what was wrong. */
export function parseAnswer(text: string): ParsedAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(stripCodeFence(text.trim()));
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message}): ${preview(text)}` };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: `not a JSON object: ${preview(text)}` };
  const parsed = answerSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `${issues} in ${preview(text)}` };
  }
  const { outcome, summary, redispatch, follow_ups } = parsed.data;
  const answer: AgentAnswer = { outcome: redispatch ? 'redispatch' : outcome, summary: cutSummary(summary ?? '') };
  return { ok: true, answer: withFollowUps(answer, follow_ups) };
}

/** Adds an answer's follow-ups; the ones left out are warnings, kept in the result and noted in the summary. */
export function withFollowUps<T extends AgentAnswer>(answer: T, raw: unknown): T {
  if (raw === undefined) return answer;
  const { followUps, warnings } = parseFollowUps(raw);
  const note = warnings.length ? `\n[follow_ups: ${warnings.length} left out: ${warnings.join('; ')}]` : '';
  return {
    ...answer,
    summary: cutSummary(answer.summary + note),
    ...(followUps.length ? { followUps } : {}),
    ...(warnings.length ? { followUpWarnings: warnings } : {}),
  };
}

/** A long summary is cut (saying so), never a reason to refuse the answer. */
export function cutSummary(summary: string): string {
  const max = LIMITS.summaryChars;
  return summary.length > max ? `${summary.slice(0, max)}… [summary cut: ${summary.length - max} more chars]` : summary;
}

/** True when a line is meant as a JSON answer (so a broken or cut one is malformed, not "no answer"). */
export function looksLikeJsonObject(line: string): boolean {
  return line.trim().startsWith('{');
}

/** Models often wrap JSON in a ``` fence even when told not to; that much is harmless. */
function stripCodeFence(text: string): string {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(text);
  return fenced ? fenced[1].trim() : text;
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `"${oneLine.slice(0, 200)}…"` : `"${oneLine}"`;
}
