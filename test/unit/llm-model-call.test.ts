/**
 * One model call (src/activities/llm/model-call.ts) against a local OpenAI-compatible server:
 * Temporal owns the retries, so each failure says whether to retry and after how long, and names
 * the endpoint; the key is sent only as the Authorization header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { callModel, retryAfterMs } from '../../src/activities/llm/model-call';
import { ModelCatalog } from '../../src/activities/llm/models';
import { BUILTIN_TOOLS } from '../../src/activities/llm/tools';
import type { ModelCallInput } from '../../src/shared/agent-loop';
import { ChatServer, httpError, toolCall } from '../helpers/chat-server';
import { AnthropicServer } from '../helpers/anthropic-server';

const KEY = 'sk-unit-secret';
const input = (): ModelCallInput => ({
  model: 'openai-compatible:coder',
  system: 'persona',
  messages: [{ role: 'user', content: 'fix the bug' }],
  tools: BUILTIN_TOOLS,
  beadId: 'b1',
  node: 'fix',
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('model call', () => {
  let chat: ChatServer;
  let models: ModelCatalog;
  before(async () => {
    chat = await ChatServer.start();
    models = new ModelCatalog({ OPENAI_BASE_URL: chat.baseUrl, OPENAI_API_KEY: KEY });
  });
  after(() => chat.close());

  test('tool calls, text and usage come back; tools are offered; the key is only in Authorization', async () => {
    chat.plan(toolCall('read_file', { path: 'src/a.js' }, { prompt: 50, completion: 7 }));
    const r = await callModel(models, input());
    assert.deepEqual(
      r.toolCalls.map((c) => [c.toolName, c.input, c.error]),
      [['read_file', { path: 'src/a.js' }, undefined]],
    );
    assert.deepEqual(r.usage, { inputTokens: 50, outputTokens: 7, totalTokens: 57 });
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0].role, 'assistant');
    const sent = chat.requests[0];
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.ok(!JSON.stringify(sent.body).includes(KEY));
    assert.equal(sent.body.model, 'coder');
    assert.equal(sent.body.tools?.length, BUILTIN_TOOLS.length);
    assert.deepEqual(sent.body.messages?.[0], { role: 'system', content: 'persona' });
  });

  test('an unknown tool or unparsable arguments are marked, for the model to correct', async () => {
    chat.plan({
      toolCalls: [
        { name: 'delete_everything', arguments: {} },
        { name: 'read_file', arguments: '{"path": ' },
      ],
    });
    const r = await callModel(models, input());
    assert.match(r.toolCalls[0].error ?? '', /unavailable tool 'delete_everything'/);
    assert.match(r.toolCalls[1].error ?? '', /Invalid input for tool read_file/);
  });

  test('429 with Retry-After: retryable, after the server asked', async () => {
    chat.plan(httpError(429, 'slow down', { 'retry-after': '7' }));
    const f = await failure(callModel(models, input()));
    assert.equal(f.type, 'ModelUnavailable');
    assert.equal(f.nonRetryable, false);
    assert.equal(f.nextRetryDelay, 7_000);
    assert.match(f.message, new RegExp(`model endpoint ${chat.baseUrl}/chat/completions answered 429 for coder`));
    assert.equal(chat.requests.length, 1, 'the SDK did not retry on its own: Temporal owns retries');
  });

  test('5xx is retryable; other 4xx are not', async () => {
    chat.plan(httpError(503, 'overloaded'));
    const busy = await failure(callModel(models, input()));
    assert.deepEqual([busy.type, busy.nonRetryable], ['ModelUnavailable', false]);
    chat.plan(httpError(400, 'bad request: unknown model'));
    const refused = await failure(callModel(models, input()));
    assert.deepEqual([refused.type, refused.nonRetryable], ['ModelRequestRefused', true]);
    assert.match(refused.message, /answered 400/);
  });

  test('an endpoint that is down fails retryable and names the URL', async () => {
    const down = new ModelCatalog({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    const f = await failure(callModel(down, input()));
    assert.deepEqual([f.type, f.nonRetryable], ['ModelUnavailable', false]);
    assert.match(f.message, /http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions/);
  });

  test('Retry-After as seconds, as an HTTP date, as retry-after-ms; capped', () => {
    assert.equal(retryAfterMs({ 'Retry-After': '3' }), 3_000);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250' }), 250);
    const now = Date.parse('2026-12-03T12:00:00Z');
    assert.equal(retryAfterMs({ 'retry-after': 'Thu, 03 Dec 2026 12:00:10 GMT' }, now), 10_000);
    assert.equal(retryAfterMs({ 'retry-after': '86400' }), 5 * 60_000);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMs(undefined), undefined);
  });

  test('anthropic: the Messages API with tools; ANTHROPIC_BASE_URL as the root or as …/v1; the key in x-api-key only', async () => {
    const anthropic = await AnthropicServer.start();
    try {
      for (const base of [anthropic.baseUrl, `${anthropic.baseUrl}/v1`]) {
        anthropic.script({ tool: 'edit_file', input: { path: 'a.js', old_text: 'x', new_text: 'y' } });
        const catalog = new ModelCatalog({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: base });
        const r = await callModel(catalog, { ...input(), model: 'anthropic:claude-sonnet-4-5' });
        assert.deepEqual(
          r.toolCalls.map((c) => [c.toolName, c.input]),
          [['edit_file', { path: 'a.js', old_text: 'x', new_text: 'y' }]],
        );
        assert.deepEqual(r.usage, { inputTokens: 100, outputTokens: 20, totalTokens: 120 });
        const sent = anthropic.requests[0];
        assert.equal(sent.path, '/v1/messages');
        assert.equal(sent.headers['x-api-key'], KEY);
        assert.ok(!JSON.stringify(sent.body).includes(KEY));
        assert.equal(sent.body.system !== undefined, true, 'the persona goes as the system prompt');
      }
    } finally {
      await anthropic.close();
    }
  });
});
