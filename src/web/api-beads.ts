/** `GET /api/beads` (Temporal visibility, filtered, paged) and `GET /api/beads/:id` (state + definition graph). */
import type { Context, Hono } from 'hono';
import type { ResolvedDefinition } from '../dsl/types';
import { BEAD_STATUSES } from '../interpreter/types';
import { PRIORITIES } from '../shared/bead';
import type { BeadState } from '../workflows/messages';
import { beadGraph, END, type BeadGraph } from './graph';
import { fail } from './http';
import type { BeadListFilter, BeadSource } from './source';
import { SAFE_KEYWORD } from './temporal-source';

export interface BeadRoutesDeps {
  source: BeadSource;
  /** Definitions by id from the definitions directories: the graph of a run whose input cannot be read. */
  catalogDefinition(id: string): ResolvedDefinition | undefined;
}

const STATUSES = [...BEAD_STATUSES, 'terminated', 'timed_out'];
export const MAX_PAGE_SIZE = 200;

/** A bead id as a URL path part: what Temporal accepts as a workflow id, bounded. */
export function validBeadId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && ![...id].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string };

export function parseListQuery(
  q: Record<string, string | undefined>,
): Parsed<{ filter: BeadListFilter; pageSize: number; token?: string }> {
  const known = ['status', 'role', 'type', 'priority', 'text', 'active', 'pageSize', 'nextPageToken'];
  const unknown = Object.keys(q).filter((k) => !known.includes(k));
  if (unknown.length) return { ok: false, message: `unknown query parameter ${unknown.join(', ')}`, hint: `use ${known.join(', ')}` };
  const filter: BeadListFilter = {};
  if (q.status) {
    if (!STATUSES.includes(q.status)) return { ok: false, message: `status must be one of ${STATUSES.join(', ')}, not "${q.status}"` };
    filter.status = q.status;
  }
  for (const k of ['role', 'type'] as const) {
    const v = q[k]?.trim();
    if (!v) continue;
    if (!SAFE_KEYWORD.test(v))
      return { ok: false, message: `${k} may hold letters, digits, spaces and _ . : / - (at most 100), not "${v}"` };
    filter[k] = v;
  }
  if (q.priority) {
    const p = q.priority.toUpperCase();
    if (!(PRIORITIES as readonly string[]).includes(p)) return { ok: false, message: `priority must be one of ${PRIORITIES.join(', ')}` };
    filter.priority = p;
  }
  if (q.text) {
    if (q.text.length > 200) return { ok: false, message: 'text is longer than 200 characters' };
    filter.text = q.text.trim();
  }
  if (q.active !== undefined && q.active !== '') {
    if (!['true', 'false', '1', '0'].includes(q.active)) return { ok: false, message: 'active must be true or false' };
    filter.active = q.active === 'true' || q.active === '1';
  }
  const pageSize = q.pageSize ? Number(q.pageSize) : 50;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return { ok: false, message: `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, not "${q.pageSize}"` };
  }
  const token = q.nextPageToken || undefined;
  if (token && (token.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(token))) {
    return { ok: false, message: 'nextPageToken is not one this server gave out', hint: 'start again without nextPageToken' };
  }
  return { ok: true, value: { filter, pageSize, token } };
}

/** Who must decide what, for the page's buttons. */
export interface Pending {
  kind: 'approval' | 'override' | 'none';
  node?: string;
  approvers?: string[];
  role?: string;
  options?: string[];
}

export function pending(state: BeadState | undefined, def: ResolvedDefinition | undefined, status: string): Pending {
  if (status === 'escalated') return { kind: 'override', node: state?.escalation?.node, role: 'CEO', options: state?.escalation?.options };
  if (status !== 'waiting_approval' || !state) return { kind: 'none' };
  const node = def?.nodes.find((n) => n.key === state.currentNode);
  return { kind: 'approval', node: state.currentNode, approvers: node?.approval?.approvers ?? [], role: state.requiredRole };
}

export function registerBeadRoutes(app: Hono, deps: BeadRoutesDeps): void {
  app.get('/api/beads', async (c) => {
    const parsed = parseListQuery(c.req.query());
    if (!parsed.ok) return fail(c, 400, parsed.message, parsed.hint);
    const { filter, pageSize, token } = parsed.value;
    try {
      return c.json(await deps.source.list(filter, pageSize, token));
    } catch (err) {
      // Temporal rejects a token it did not hand out (or one from before a filter change) with a bare error.
      if (!token || /ECONNREFUSED|UNAVAILABLE|Failed to connect|deadline/i.test(String(err))) throw err;
      return fail(
        c,
        400,
        'nextPageToken is not valid for this listing',
        'start again without nextPageToken (the filters must stay the same)',
      );
    }
  });

  app.get('/api/beads/:id', async (c: Context) => {
    const id = c.req.param('id') ?? '';
    if (!validBeadId(id)) return fail(c, 400, 'the bead id is empty, too long or holds control characters');
    const detail = await deps.source.detail(id);
    if (!detail) return fail(c, 404, `unknown bead ${id}`, 'list beads at /api/beads');
    const s = detail.status;
    const state = s.source === 'query' ? s.state : undefined;
    const definitionId = state?.definitionId ?? '';
    let definition = detail.definition;
    let definitionSource = detail.definitionSource;
    if (!definition && definitionId) {
      definition = deps.catalogDefinition(definitionId);
      if (definition) definitionSource = 'catalog';
    }
    const status = s.source === 'query' ? s.state.status : s.status;
    const currentNode = s.source === 'query' ? s.state.currentNode : s.currentNode;
    // A finished bead sits at the end (when its last move went there), not at the node it left.
    const lastMove = state?.history.filter((x) => x.kind === 'move').pop();
    const ended = !['running', 'waiting_approval', 'escalated'].includes(status);
    const current = ended ? (lastMove && !lastMove.to ? [END] : []) : [currentNode, ...(state?.branches.map((b) => b.node) ?? [])];
    const graph: BeadGraph | undefined = definition ? beadGraph(definition, state?.history ?? [], current) : undefined;
    return c.json({
      bead: {
        beadId: id,
        title: state?.title ?? '',
        type: state?.type ?? '',
        priority: detail.priority,
        status,
        executionStatus: s.executionStatus,
        currentNode,
        requiredRole: s.source === 'query' ? s.state.requiredRole : s.requiredRole,
        definitionId: definition?.id ?? definitionId,
        counts: state ? { cycles: state.cycleCount, attempts: state.attempts, dispatches: state.dispatchCount } : undefined,
      },
      source: s.source,
      note: s.source === 'search-attributes' ? s.note : undefined,
      state,
      pending: pending(state, definition, status),
      definition: definition ? { id: definition.id, name: definition.name, source: definitionSource } : undefined,
      graph,
    });
  });
}
