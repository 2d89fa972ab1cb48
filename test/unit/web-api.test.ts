/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers read field by field */
/** The web API's handlers through Hono's app.request, over a fake BeadSource: input checks, sign-in, roles, refusals. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecisionAnswer } from '../../src/client/beads';
import { PROJECT_DEFINITIONS_DIR } from '../../src/dsl';
import type { BeadState, DecisionResult } from '../../src/workflows/messages';
import { createApp } from '../../src/web/app';
import type { BeadDetail, BeadSource, Decision } from '../../src/web/source';
import { DecisionRefusedError } from '../../src/web/source';
import { visibilityQuery } from '../../src/web/temporal-source';
import { parseUsers, sha256Hex } from '../../src/web/users';
import { humanReview } from '../fixtures/definitions';

const USERS = parseUsers(
  `- {name: pam, roles: [Software Engineer, Product Manager], token_sha256: ${sha256Hex('pam-token')}}
- {name: quinn, roles: [QA Engineer], token_sha256: ${sha256Hex('quinn-token')}}`,
  'users.yaml',
);

function parkedState(): BeadState {
  return {
    beadId: 'b-1',
    definitionId: 'test-def',
    title: 'a bug',
    type: 'bug',
    status: 'waiting_approval',
    currentNode: 'pm_review',
    requiredRole: 'Product Manager',
    cycleCount: 0,
    attempts: 1,
    dispatchCount: 1,
    branches: [],
    history: [
      { seq: 1, kind: 'move', node: '', to: 'investigate', condition: 'success', endedAt: 1, summary: 'start' },
      { seq: 2, kind: 'turn', node: 'investigate', outcome: 'success', endedAt: 2, summary: 'found it' },
      { seq: 3, kind: 'move', node: 'investigate', to: 'pm_review', condition: 'success', endedAt: 3, summary: '' },
    ],
  };
}

function fakeSource(decide: (d: Decision) => DecisionAnswer = () => ({ delivered: 'signal', taskQueue: 'q', why: 'no-worker' })) {
  const sent: Decision[] = [];
  const source: BeadSource = {
    list: async () => ({ beads: [], nextPageToken: undefined }),
    detail: async (id): Promise<BeadDetail | undefined> =>
      id === 'b-1'
        ? {
            status: { source: 'query', state: parkedState(), executionStatus: 'RUNNING' },
            definition: humanReview(),
            definitionSource: 'run-input',
            priority: 'P2',
          }
        : undefined,
    decide: async (_id, d) => {
      sent.push(d);
      return decide(d);
    },
  };
  return { source, sent };
}

function app(source: BeadSource, readsNeedToken = false) {
  return createApp({
    source,
    users: USERS,
    definitionDirs: [PROJECT_DEFINITIONS_DIR],
    catalogDefinition: () => undefined,
    analytics: async () => ({ configured: false, message: 'no ledger is configured', hint: 'set DATABASE_URL' }),
    readsNeedToken,
  });
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', host: 'localhost', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('web API', () => {
  test('GET /api/beads/:id: state, pending decision and the graph with the current node and taken edges', async () => {
    const res = await app(fakeSource().source).request('/api/beads/b-1');
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.bead.currentNode, 'pm_review');
    assert.deepEqual(body.pending, { kind: 'approval', node: 'pm_review', approvers: ['Product Manager'], role: 'Product Manager' });
    const current = body.graph.nodes.filter((n: { current: boolean }) => n.current).map((n: { key: string }) => n.key);
    assert.deepEqual(current, ['pm_review']);
    const taken = body.graph.edges.filter((e: { taken: boolean }) => e.taken).map((e: { from: string; to: string }) => `${e.from}>${e.to}`);
    assert.deepEqual(taken, ['^start>investigate', 'investigate>pm_review']);
    assert.equal(body.graph.nodes.find((n: { key: string }) => n.key === 'investigate').turns, 1);
    assert.ok(
      body.graph.edges.every((e: { points: unknown[] }) => e.points.length >= 2),
      'every edge has a drawn path',
    );
  });

  test('unknown bead → 404; bad list filters → 400 with what is wrong', async () => {
    const a = app(fakeSource().source);
    assert.equal((await a.request('/api/beads/nope')).status, 404);
    for (const [q, wording] of [
      ['status=sleeping', /status must be one of/],
      ["role=x'%20OR%201=1", /role may hold/],
      ['priority=P9', /priority must be one of/],
      ['pageSize=0', /pageSize/],
      ['color=red', /unknown query parameter color/],
    ] as const) {
      const res = await a.request(`/api/beads?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(((await res.json()) as any).error.message, wording);
    }
  });

  test('visibility query: filters become search-attribute clauses, roles as slugs', () => {
    assert.equal(
      visibilityQuery({ status: 'waiting_approval', role: 'Product Manager', type: 'bug', active: true }),
      "WorkflowType='beadWorkflow' AND ExecutionStatus='Running' AND BeadStatus='waiting_approval' AND RequiredRole='product-manager' AND BeadType='bug'",
    );
  });

  test('a decision needs a valid token (401), JSON of the right shape (400, 415) and a same-site Origin (403)', async () => {
    const { source, sent } = fakeSource();
    const a = app(source);
    const url = '/api/beads/b-1/decisions';
    assert.equal((await a.request(url, post({ action: 'approve', reason: 'ok' }))).status, 401);
    assert.equal((await a.request(url, post({ action: 'approve' }, { authorization: 'Bearer wrong' }))).status, 401);
    const auth = { authorization: 'Bearer pam-token' };
    assert.equal((await a.request(url, post('{not json', auth))).status, 400);
    assert.equal((await a.request(url, post({ action: 'merge' }, auth))).status, 400);
    const noReason = await a.request(url, post({ action: 'reject', reason: ' ' }, auth));
    assert.equal(noReason.status, 400);
    assert.match(((await noReason.json()) as any).error.message, /a reject needs a reason/);
    assert.equal((await a.request(url, post({ action: 'override', reason: 'x', overrideAction: 'fly' }, auth))).status, 400);
    assert.equal(
      (await a.request(url, { ...post({ action: 'approve' }, auth), headers: { ...auth, 'content-type': 'text/plain' } })).status,
      415,
    );
    assert.equal((await a.request(url, post({ action: 'approve' }, { ...auth, origin: 'http://evil.example' }))).status, 403);
    assert.equal((await a.request(url, post({ action: 'approve', reason: 'x'.repeat(20_000) }, auth))).status, 413);
    assert.equal(sent.length, 0, 'nothing reached the bead');
  });

  test("`by` is the user's role the approvers accept; a refusal comes back as 409 with the validator's reason", async () => {
    const result = {
      beadId: 'b-1',
      node: 'pm_review',
      decision: 'approved',
      status: 'running',
      currentNode: 'apply_fix',
    } as DecisionResult;
    const { source, sent } = fakeSource((d) => {
      if (d.payload.by !== 'Product Manager') throw new DecisionRefusedError(`${d.payload.by} may not decide "pm_review"`);
      return { delivered: 'update', result };
    });
    const a = app(source);
    const url = '/api/beads/b-1/decisions';
    const ok = await a.request(
      url,
      post({ action: 'approve', reason: 'fine' }, { authorization: 'Bearer pam-token', origin: 'http://localhost' }),
    );
    assert.equal(ok.status, 200);
    const okBody = (await ok.json()) as any;
    assert.equal(okBody.accepted, true);
    assert.equal(okBody.by, 'Product Manager');
    assert.equal(sent[0].payload.reason, 'fine (pam, web)');
    const refused = await a.request(url, post({ action: 'approve' }, { authorization: 'Bearer quinn-token' }));
    assert.equal(refused.status, 409);
    const refusedBody = (await refused.json()) as any;
    assert.equal(refusedBody.accepted, false);
    assert.match(refusedBody.error.message, /QA Engineer may not decide "pm_review"/);
  });

  test('reads are open on loopback and need a token when bound beyond it', async () => {
    const a = app(fakeSource().source, true);
    assert.equal((await a.request('/api/beads')).status, 401);
    assert.equal((await a.request('/api/beads', { headers: { authorization: 'Bearer quinn-token' } })).status, 200);
    assert.equal((await a.request('/')).status, 200, 'the page itself loads, so one can sign in');
  });

  test('the page, its scripts, definitions with findings, and analytics without a ledger', async () => {
    const a = app(fakeSource().source);
    const page = await a.request('/beads/b-1');
    assert.match(await page.text(), /<script type="module" src="\/static\/app.js">/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal((await a.request('/static/bead.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await a.request('/static/../server.ts')).status, 404);
    const defs = (await (await a.request('/api/definitions')).json()) as any;
    assert.ok(
      defs.files.some((f: { id?: string }) => f.id),
      'the project definitions are listed',
    );
    const analytics = (await (await a.request('/api/analytics')).json()) as any;
    assert.equal(analytics.configured, false);
    assert.equal((await a.request('/api/nothing')).status, 404);
  });
});

describe('users file', () => {
  test('errors name the entry and what to fix', () => {
    assert.throws(() => parseUsers('- {name: a, roles: []}', 'u.yaml'), /u.yaml: user 1 \(a\) needs roles/);
    assert.throws(() => parseUsers('- {name: a, roles: [CEO], token_sha256: abc}', 'u.yaml'), /needs token_sha256: 64 hex digits/);
    assert.throws(() => parseUsers('name: a', 'u.yaml'), /expected a YAML list/);
    assert.equal(USERS.byToken('pam-token')?.name, 'pam');
    assert.equal(USERS.byToken('pam-token ')?.name, undefined);
  });
});
