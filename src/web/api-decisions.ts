/**
 * `POST /api/beads/:id/decisions`: a signed-in user's approve, reject or override, sent as the
 * bead's Update through the client code the CLI uses. `by` is the user's role the decision's
 * approvers accept, so the bead's own validator judges the user exactly as it judges the CLI.
 */
import type { Hono } from 'hono';
import { BeadflowError } from '../shared/errors';
import type { OverrideAction } from '../workflows/messages';
import { validBeadId } from './api-beads';
import { authenticate, fail, limitBody, sameOrigin } from './http';
import type { BeadSource, Decision } from './source';
import { DecisionRefusedError } from './source';
import type { UserBook } from './users';
import { decidingRole } from './users';

const ACTIONS = ['approve', 'reject', 'override'] as const;
const OVERRIDE_ACTIONS: OverrideAction[] = ['retry', 'goto', 'continue', 'abort'];
const MAX_REASON = 2000;

export interface DecisionBody {
  action: (typeof ACTIONS)[number];
  reason: string;
  node?: string;
  overrideAction?: OverrideAction;
  requestId?: string;
}

type Parsed = { ok: true; body: DecisionBody } | { ok: false; message: string; hint?: string };

const SHAPE_HINT = 'send {"action":"approve|reject|override","reason":"...","node"?:"...","overrideAction"?:"retry|goto|continue|abort"}';

export function parseDecisionBody(raw: unknown): Parsed {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, message: 'the body must be a JSON object', hint: SHAPE_HINT };
  const b = raw as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !['action', 'reason', 'node', 'overrideAction', 'requestId'].includes(k));
  if (extra.length) return { ok: false, message: `unknown field ${extra.join(', ')}`, hint: SHAPE_HINT };
  if (typeof b.action !== 'string' || !(ACTIONS as readonly string[]).includes(b.action)) {
    return { ok: false, message: `action must be approve, reject or override, not ${JSON.stringify(b.action)}`, hint: SHAPE_HINT };
  }
  const action = b.action as DecisionBody['action'];
  for (const k of ['reason', 'node', 'overrideAction', 'requestId'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'string') return { ok: false, message: `${k} must be a string`, hint: SHAPE_HINT };
  }
  const reason = ((b.reason as string | undefined) ?? '').trim();
  if (reason.length > MAX_REASON) return { ok: false, message: `reason is longer than ${MAX_REASON} characters` };
  if ((action === 'reject' || action === 'override') && !reason) {
    return {
      ok: false,
      message: `a ${action} needs a reason`,
      hint: 'say why in "reason"; the bead records it and the next agent reads it',
    };
  }
  const node = (b.node as string | undefined)?.trim() || undefined;
  if (node && node.length > 200) return { ok: false, message: 'node is longer than 200 characters' };
  const requestId = (b.requestId as string | undefined) || undefined;
  if (requestId && requestId.length > 100) return { ok: false, message: 'requestId is longer than 100 characters' };
  let overrideAction: OverrideAction | undefined;
  if (action === 'override') {
    overrideAction = b.overrideAction as OverrideAction;
    if (!OVERRIDE_ACTIONS.includes(overrideAction)) {
      return { ok: false, message: `an override needs overrideAction: ${OVERRIDE_ACTIONS.join(', ')}`, hint: SHAPE_HINT };
    }
    if (overrideAction === 'goto' && !node) return { ok: false, message: 'overrideAction goto needs "node": where the bead goes' };
  } else if (b.overrideAction !== undefined) {
    return { ok: false, message: 'overrideAction belongs to action override only' };
  }
  return { ok: true, body: { action, reason, node, overrideAction, requestId } };
}

export function registerDecisionRoutes(app: Hono, deps: { source: BeadSource; users: UserBook }): void {
  app.post('/api/beads/:id/decisions', sameOrigin, limitBody, async (c) => {
    const id = c.req.param('id');
    if (!validBeadId(id)) return fail(c, 400, 'the bead id is empty, too long or holds control characters');
    const user = authenticate(c, deps.users);
    if (user instanceof Response) return user;
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return fail(c, 415, 'send the decision as JSON', 'set Content-Type: application/json');
    }
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return fail(c, 400, 'the body is not valid JSON', SHAPE_HINT);
    }
    const parsed = parseDecisionBody(raw);
    if (!parsed.ok) return fail(c, 400, parsed.message, parsed.hint);
    const body = parsed.body;

    const detail = await deps.source.detail(id);
    if (!detail) return fail(c, 404, `unknown bead ${id}`, 'list beads at /api/beads');
    const s = detail.status;
    const approvers =
      s.source === 'query'
        ? (detail.definition?.nodes.find((n) => n.key === (body.node ?? s.state.currentNode))?.approval?.approvers ?? [])
        : [];
    const requiredRole = s.source === 'query' ? s.state.requiredRole : s.requiredRole;
    const by = decidingRole(user, body.action === 'override' ? ['CEO'] : [...approvers, requiredRole].filter(Boolean));
    // The person behind the role goes into the recorded reason: the bead's history says who clicked.
    const reason = body.reason ? `${body.reason} (${user.name}, web)` : `(${user.name}, web)`;
    const decision: Decision =
      body.action === 'override'
        ? { kind: 'override', payload: { by, action: body.overrideAction!, node: body.node, reason, requestId: body.requestId } }
        : { kind: body.action, payload: { by, reason, node: body.node, requestId: body.requestId } };
    try {
      const answer = await deps.source.decide(id, decision);
      if (answer.delivered === 'signal') {
        const message = `sent as a signal: no worker polls task queue ${answer.taskQueue}; it applies (or is refused, in the history) when one runs`;
        return c.json({ accepted: null, delivered: 'signal', by, taskQueue: answer.taskQueue, message }, 202);
      }
      return c.json({ accepted: true, delivered: 'update', by, result: answer.result });
    } catch (err) {
      if (err instanceof DecisionRefusedError) {
        return c.json({ accepted: false, by, error: { message: err.reason, hint: err.hint, refused: true } }, 409);
      }
      if (err instanceof BeadflowError) return c.json({ accepted: false, by, error: { message: err.message, hint: err.hint } }, 409);
      throw err;
    }
  });
}
