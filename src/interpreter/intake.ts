/**
 * Where decision, override and cancel payloads enter a bead: shape and size checks before any
 * judgement, so a hostile or careless sender can never put megabytes into the history, the next
 * activity's input or the `state` query. Pure; the workflow's signal handlers and Update
 * validators both call it.
 */
import { LIMITS } from '../shared/limits';
import type { Decision, Override } from './types';

export type Intake<T> = { ok: true; value: T } | { ok: false; why: string; hint: string; shown: { by: string; node?: string } };

const OVERRIDE_ACTIONS = ['retry', 'goto', 'continue', 'abort'] as const;

/** `text` cut to `max` characters, saying so; control characters shown escaped. */
export function bounded(text: string, max: number): string {
  const clean = escapeControls(text);
  return clean.length > max ? `${clean.slice(0, max)}… [cut ${clean.length - max} chars]` : clean;
}

/** Control characters (other than newline and tab) as `\xNN` / `\u{...}`: visible, never raw in a terminal or a commit subject. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** What a refused payload may show of itself in the history: short, printable. */
function shownOf(raw: Record<string, unknown>): { by: string; node?: string } {
  const by = typeof raw.by === 'string' ? bounded(raw.by, 60) : `(${describeType(raw.by)})`;
  const node = typeof raw.node === 'string' ? bounded(raw.node, 60) : undefined;
  return { by, node };
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return v === undefined ? 'missing' : `a ${typeof v}`;
}

type Field = { name: string; max: number; required?: boolean };

/** The first problem with a string field, or undefined. */
function fieldProblem(raw: Record<string, unknown>, f: Field): string | undefined {
  const v = raw[f.name];
  if (v === undefined || v === null) return f.required ? `"${f.name}" is required` : undefined;
  if (typeof v !== 'string') return `"${f.name}" must be a string (got ${describeType(v)})`;
  if (f.required && !v.trim()) return `"${f.name}" must not be empty`;
  if (v.length > f.max) return `"${f.name}" is ${v.length} characters; the limit is ${f.max}`;
  return undefined;
}

interface Mode {
  /** Updates refuse an over-long reason; signals cut it (the sender hears nothing back either way). */
  refuseLongReason: boolean;
}

function common(raw: unknown, mode: Mode): { ok: true; raw: Record<string, unknown> } | Extract<Intake<never>, { ok: false }> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      why: `the payload must be a JSON object (got ${describeType(raw)})`,
      hint: 'send e.g. {"by":"Product Manager","reason":"ok"}',
      shown: { by: '(none)' },
    };
  }
  const r = raw as Record<string, unknown>;
  const fields: Field[] = [
    { name: 'by', max: LIMITS.byChars, required: true },
    { name: 'node', max: LIMITS.keyChars },
    { name: 'requestId', max: LIMITS.keyChars },
    ...(mode.refuseLongReason ? [{ name: 'reason', max: LIMITS.reasonChars }] : [{ name: 'reason', max: Number.MAX_SAFE_INTEGER }]),
  ];
  for (const f of fields) {
    const problem = fieldProblem(r, f);
    if (problem)
      return {
        ok: false,
        why: problem,
        hint: `limits: by ${LIMITS.byChars}, node and requestId ${LIMITS.keyChars}, reason ${LIMITS.reasonChars} characters (docs/limits.md)`,
        shown: shownOf(r),
      };
  }
  return { ok: true, raw: r };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An approve/reject payload → a person's Decision, or why it cannot be one. */
export function readDecision(raw: unknown, approve: boolean, mode: Mode): Intake<Decision> {
  const c = common(raw, mode);
  if (!c.ok) return c;
  const r = c.raw;
  return {
    ok: true,
    value: {
      approve,
      by: (r.by as string).trim(),
      reason: bounded(str(r.reason) ?? '', LIMITS.reasonChars),
      requestId: str(r.requestId),
      node: str(r.node),
      source: 'person',
      ...explicitAction(r),
    },
  };
}

/** A decision on a CEO-decision bead may name what its parent does: {action: goto, target: node}. */
function explicitAction(r: Record<string, unknown>): Pick<Decision, 'action' | 'target'> {
  const action = str(r.action);
  if (!action || !(OVERRIDE_ACTIONS as readonly string[]).includes(action)) return {};
  const target = str(r.target);
  return { action: action as Decision['action'], ...(target ? { target: bounded(target, LIMITS.keyChars) } : {}) };
}

/** An override payload → an Override, or why it cannot be one. */
export function readOverride(raw: unknown, mode: Mode): Intake<Override> {
  const c = common(raw, mode);
  if (!c.ok) return c;
  const r = c.raw;
  const action = r.action;
  if (typeof action !== 'string' || !(OVERRIDE_ACTIONS as readonly string[]).includes(action)) {
    const got = typeof action === 'string' ? `"${bounded(action, 40)}"` : describeType(action);
    return { ok: false, why: `unknown action ${got}`, hint: `use one of ${OVERRIDE_ACTIONS.join(', ')}`, shown: shownOf(r) };
  }
  const reason = str(r.reason);
  return {
    ok: true,
    value: {
      by: (r.by as string).trim(),
      action: action as Override['action'],
      node: str(r.node),
      reason: reason === undefined ? undefined : bounded(reason, LIMITS.reasonChars),
      requestId: str(r.requestId),
    },
  };
}

/** A cancel payload: `by` and `reason`, both bounded (cut, never refused: a cancel must always get through). */
export function readCancel(raw: unknown): { by: string; reason: string } {
  const r = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return { by: bounded(str(r.by)?.trim() || 'unknown', LIMITS.byChars), reason: bounded(str(r.reason) ?? '', LIMITS.reasonChars) };
}

/** UTF-8 size of a value's JSON, as Temporal counts a payload. */
export function jsonBytes(value: unknown): number {
  const s = JSON.stringify(value) ?? '';
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
