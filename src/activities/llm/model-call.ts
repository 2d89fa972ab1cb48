/**
 * One model call of a model agent's turn, as one activity: the transcript goes in, the
 * assistant's reply (text, tool calls, usage) comes out, and the workflow records it. Tools are
 * declared without `execute`, so the SDK never runs them here: each runs as its own activity.
 *
 * Retries belong to Temporal alone (the SDK's own are off): a 429 or 5xx or an unreachable
 * endpoint fails the attempt as retryable, after the server's Retry-After when it sends one;
 * other 4xx are not retried. Messages name the endpoint, never the key.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { APICallError, generateText, jsonSchema, tool } from 'ai';
import type { ModelMessage, ToolSet } from 'ai';
import type { ModelCallInput, ModelCallResult, ModelToolCall, TranscriptMessage } from '../../shared/agent-loop';
import { ERROR_TYPES } from '../../shared/errors';
import type { ModelCatalog } from './models';
import { parseModelSpec } from './models';

const HEARTBEAT_MS = 2_000;
/** Longest Retry-After honoured; a longer one is capped so the turn's deadline still decides. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export async function callModel(models: ModelCatalog, input: ModelCallInput, signal?: AbortSignal): Promise<ModelCallResult> {
  const spec = parseModelSpec(input.model, 'the turn model');
  const url = models.endpoint(spec);
  const tools: ToolSet = {};
  for (const t of input.tools) tools[t.name] = tool({ description: t.description, inputSchema: jsonSchema(t.inputSchema as never) });
  let result;
  try {
    result = await generateText({
      model: models.model(spec),
      system: input.system,
      messages: input.messages as unknown as ModelMessage[],
      tools,
      maxRetries: 0,
      abortSignal: signal,
    });
  } catch (err) {
    throw modelFailure(err, url, spec.model);
  }
  const toolCalls: ModelToolCall[] = result.toolCalls.map((c) => {
    const call: ModelToolCall = { toolCallId: c.toolCallId, toolName: c.toolName, input: c.input ?? {} };
    const invalid = c as { invalid?: boolean; error?: unknown };
    if (invalid.invalid) call.error = errorText(invalid.error) || `the call of ${c.toolName} could not be used`;
    return call;
  });
  return {
    // Only the assistant's own message: tool results are added by the workflow as each tool ends.
    messages: (result.responseMessages as unknown as TranscriptMessage[]).filter((m) => m.role === 'assistant'),
    text: result.text,
    toolCalls,
    finishReason: String(result.finishReason),
    usage: {
      inputTokens: result.usage.inputTokens ?? 0,
      outputTokens: result.usage.outputTokens ?? 0,
      totalTokens: result.usage.totalTokens ?? (result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0),
    },
  };
}

/** The activity: heartbeats while the model thinks, so a cancelled turn stops waiting for it. */
export function modelCallActivity(models: ModelCatalog) {
  return async function modelCall(input: ModelCallInput): Promise<ModelCallResult> {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat({ waitingFor: 'model', model: input.model }), HEARTBEAT_MS);
    ctx.heartbeat({ waitingFor: 'model', model: input.model });
    try {
      return await callModel(models, input, ctx.cancellationSignal);
    } finally {
      clearInterval(beat);
    }
  };
}

function modelFailure(err: unknown, url: string, model: string): Error {
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    const what = status ? `answered ${status}` : 'could not be reached';
    const detail = errorText(err.message).slice(0, 300);
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    const delay = retryAfterMs(err.responseHeaders);
    return ApplicationFailure.create({
      type: retryable ? ERROR_TYPES.modelUnavailable : ERROR_TYPES.modelRequestRefused,
      message: `model endpoint ${err.url || url} ${what} for ${model}: ${detail}`,
      nonRetryable: !retryable,
      ...(retryable && delay !== undefined ? { nextRetryDelay: delay } : {}),
      details: [{ url: err.url || url, status: status ?? null }],
    });
  }
  if (err instanceof Error && err.name === 'AbortError') return err;
  return ApplicationFailure.create({
    type: ERROR_TYPES.modelUnavailable,
    message: `model call to ${url} for ${model} failed: ${errorText(err).slice(0, 300)}`,
  });
}

/** Retry-After as seconds or an HTTP date (and OpenAI's retry-after-ms) → ms. */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number(lower['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const text = lower['retry-after'];
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return err === undefined ? '' : String(err);
}
