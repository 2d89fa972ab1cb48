/** The openai provider against a local chat-completions server: answers, retries, repairs, refusals, cancellation, secrecy. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { OpenAIAgent, roleModelsFromEnv } from '../../src/activities/agents/openai';
import { retryAfterMs } from '../../src/activities/agents/openai-http';
import { loadPersonas } from '../../src/activities/agents/personas';
import { ChatServer, answer, httpError } from '../helpers/chat-server';
import { fakeTurn, turnInput } from '../helpers/agents';
import { waitFor } from '../helpers/temporal';

const KEY = 'sk-test-very-secret-key-0123456789';
const personas = loadPersonas();
let server: ChatServer;

before(async () => {
  server = await ChatServer.start();
});
after(() => server.close());

function agent(over: Partial<ConstructorParameters<typeof OpenAIAgent>[0]> = {}): OpenAIAgent {
  return new OpenAIAgent({
    baseUrl: server.baseUrl,
    apiKey: KEY,
    model: 'test-model',
    personas,
    initialBackoffMs: 10,
    maxBackoffMs: 50,
    ...over,
  });
}

/** Everything a turn could leak the key into. */
function assertNoKey(...things: unknown[]): void {
  for (const t of things)
    assert.ok(
      !JSON.stringify(t, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)).includes(KEY),
      'the API key leaked',
    );
}

describe('openai agent', () => {
  test('success: persona as system message, JSON response format, model per role, key only in the header', async () => {
    server.plan(answer('success', 'reproduced it'));
    const { ctx, logs, heartbeats } = fakeTurn();
    const a = agent({ roleModels: { 'qa-engineer': 'qa-model' } });
    const result = await a.runTurn(turnInput({ node: { role: 'QA' } }), ctx);
    assert.deepEqual(result, { outcome: 'success', summary: 'reproduced it', agent: 'openai:qa-model' });
    const [req] = server.requests;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.body.model, 'qa-model');
    assert.deepEqual(req.body.response_format, { type: 'json_object' });
    assert.equal(req.body.messages?.[0].role, 'system');
    assert.match(req.body.messages?.[0].content ?? '', /You are the QA Engineer/);
    assert.match(req.body.messages?.[1].content ?? '', /Find the cause\./);
    assert.ok(heartbeats.length >= 1);
    assertNoKey(result, logs, heartbeats, a);
  });

  test("the model's own failure verdict is a result, not an error", async () => {
    server.plan(answer('failure', 'cannot reproduce'));
    const result = await agent().runTurn(turnInput(), fakeTurn().ctx);
    assert.deepEqual([result.outcome, result.summary], ['failure', 'cannot reproduce']);
  });

  test('a request that gets no answer in time is retried, then fails as AgentUnavailable', async () => {
    server.plan({ hang: true });
    await assert.rejects(agent({ requestTimeoutMs: 200, maxRetries: 1 }).runTurn(turnInput(), fakeTurn().ctx), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'AgentUnavailable');
      assert.match(err.message, /failed 2 times, last: no answer within 200 ms/);
      return true;
    });
    assert.equal(server.requests.length, 2);
  });

  test('429 then success: waits as long as Retry-After says', async () => {
    server.plan(httpError(429, 'slow down', { 'retry-after': '1' }), answer('approved', 'fine'));
    const { ctx, logs } = fakeTurn();
    const started = Date.now();
    const result = await agent().runTurn(turnInput({ node: { type: 'approval', role: 'Product Manager' } }), ctx);
    assert.equal(result.outcome, 'approved');
    assert.equal(server.requests.length, 2);
    assert.ok(Date.now() - started >= 950, `honoured Retry-After: 1 (${Date.now() - started} ms)`);
    assert.ok(logs.some((l) => /HTTP 429: slow down; retry 1 of 4/.test(l)));
  });

  test('500s until the retries run out: a retryable AgentUnavailable failure saying how often and why', async () => {
    server.plan(httpError(500, 'upstream exploded'));
    const { ctx, logs } = fakeTurn();
    await assert.rejects(agent({ maxRetries: 2 }).runTurn(turnInput(), ctx), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'AgentUnavailable');
      assert.equal(err.nonRetryable, false);
      assert.match(err.message, /failed 3 times, last: HTTP 500: upstream exploded/);
      assertNoKey(err, logs);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  test("400 fails at once, non-retryable, with the server's reason and a hint", async () => {
    server.plan(httpError(400, 'model does not support json_object'));
    await assert.rejects(agent().runTurn(turnInput(), fakeTurn().ctx), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'AgentRequestRejected');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /HTTP 400: model does not support json_object\. Hint:/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  test('401 hints at the key without showing it', async () => {
    server.plan(httpError(401, `Incorrect API key provided: ${KEY}`));
    await assert.rejects(agent().runTurn(turnInput(), fakeTurn().ctx), (err: unknown) => {
      assert.match((err as Error).message, /check OPENAI_API_KEY/);
      assert.match((err as Error).message, /\[redacted\]/);
      assertNoKey(err);
      return true;
    });
  });

  test('malformed JSON then repaired: the bad answer goes back once with what was wrong', async () => {
    server.plan({ content: 'Sure! The outcome is success.' }, answer('success', 'repaired'));
    const { ctx, logs } = fakeTurn();
    const result = await agent().runTurn(turnInput(), ctx);
    assert.deepEqual([result.outcome, result.summary], ['success', 'repaired']);
    const second = server.requests[1].body.messages ?? [];
    assert.deepEqual(
      second.slice(-2).map((m) => m.role),
      ['assistant', 'user'],
    );
    assert.equal(second[second.length - 2].content, 'Sure! The outcome is success.');
    assert.match(second[second.length - 1].content, /could not be used: not JSON/);
    assert.ok(logs.some((l) => /asking once for a repair/.test(l)));
  });

  test('malformed twice → MalformedAgentResult (non-retryable) with the last problem', async () => {
    server.plan({ content: '{"outcome": "perhaps"}' }, { content: 'still not JSON' });
    await assert.rejects(agent().runTurn(turnInput(), fakeTurn().ctx), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'MalformedAgentResult');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /invalid JSON twice.*not JSON/);
      return true;
    });
    assert.equal(server.requests.length, 2);
  });

  test('a response that is not a chat completion is malformed', async () => {
    server.plan({ body: '{"hello": "world"}' });
    await assert.rejects(
      agent().runTurn(turnInput(), fakeTurn().ctx),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'MalformedAgentResult',
    );
  });

  test('cancellation mid-request aborts the HTTP request and throws CancelledFailure', async () => {
    server.plan({ hang: true });
    const { ctx, controller } = fakeTurn();
    const run = agent().runTurn(turnInput(), ctx);
    await waitFor(() => server.requests.length === 1, { what: 'the request to arrive' });
    const aborted = Date.now();
    controller.abort();
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
    assert.ok(Date.now() - aborted < 1_000, 'cancelled promptly');
    await waitFor(() => server.abandoned === 1, { what: 'the server to see the connection dropped' });
  });

  test('cancellation during a backoff stops at once', async () => {
    server.plan(httpError(503, 'busy', { 'retry-after': '30' }));
    const { ctx, controller } = fakeTurn();
    const run = agent().runTurn(turnInput(), ctx);
    await waitFor(() => server.requests.length === 1, { what: 'the first request' });
    controller.abort();
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
  });

  test('a wait that would pass the attempt deadline gives up with a retryable failure', async () => {
    server.plan(httpError(429, 'later', { 'retry-after': '20' }));
    const { ctx } = fakeTurn({ deadline: Date.now() + 5_000 });
    await assert.rejects(
      agent().runTurn(turnInput(), ctx),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'AgentUnavailable' && /time runs out/.test(err.message),
    );
  });
});

describe('openai settings', () => {
  test('Retry-After in seconds, as a date, and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' }), now), 2_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now), 5_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now), 150);
    assert.equal(retryAfterMs(new Headers({}), now), undefined);
  });

  test('per-role models from BEADFLOW_OPENAI_MODEL_<ROLE>', () => {
    const models = roleModelsFromEnv({
      BEADFLOW_OPENAI_MODEL_QA_ENGINEER: 'm-qa',
      BEADFLOW_OPENAI_MODEL_CEO: 'm-ceo',
      BEADFLOW_OPENAI_MODEL: 'm',
    });
    assert.deepEqual(models, { 'qa-engineer': 'm-qa', ceo: 'm-ceo' });
    const a = new OpenAIAgent({ personas, model: 'm', roleModels: models });
    assert.equal(a.modelFor('QA'), 'm-qa');
    assert.equal(a.modelFor('Product Manager'), 'm');
  });
});
