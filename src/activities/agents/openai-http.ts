/**
 * One chat-completions POST with the retry rules of a shared, rate-limited endpoint: 429 and 5xx
 * (and network errors) retry with exponential backoff, honouring Retry-After, a bounded number of
 * times; other 4xx fail at once, since asking again cannot help. The API key goes in a header
 * only and is scrubbed from anything this module reports.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { malformedResult } from '../errors';

export interface HttpRetryOptions {
  /** Retries after the first try (default 4). */
  maxRetries?: number;
  /** First backoff (default 1 s), doubling each retry up to maxBackoffMs (default 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** The longest Retry-After honoured (default 60 s); longer waits are cut to this. */
  maxRetryAfterMs?: number;
  /** One request's limit (default 120 s). */
  requestTimeoutMs?: number;
}

export interface PostJsonOptions extends HttpRetryOptions {
  url: string;
  apiKey?: string;
  body: unknown;
  signal: AbortSignal;
  /** Epoch ms after which waiting for another try is pointless. */
  deadline?: number;
  log(message: string, fields?: Record<string, unknown>): void;
}

export async function postJson(opts: PostJsonOptions): Promise<unknown> {
  const maxRetries = opts.maxRetries ?? 4;
  const scrub = (text: string) => (opts.apiKey ? text.split(opts.apiKey).join('[redacted]') : text);
  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    if (opts.signal.aborted) throw new CancelledFailure('openai agent: turn cancelled');
    const timeout = AbortSignal.timeout(opts.requestTimeoutMs ?? 120_000);
    let response: Response;
    try {
      response = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify(opts.body),
        signal: AbortSignal.any([opts.signal, timeout]),
      });
    } catch (err) {
      if (opts.signal.aborted) throw new CancelledFailure('openai agent: turn cancelled while waiting for the model');
      lastProblem = timeout.aborted ? `no answer within ${opts.requestTimeoutMs ?? 120_000} ms` : `network error: ${scrub(errorText(err))}`;
      await backoffOrGiveUp(attempt, maxRetries, undefined, lastProblem, opts);
      continue;
    }
    const text = await response.text().catch(() => '');
    if (opts.signal.aborted) throw new CancelledFailure('openai agent: turn cancelled while reading the answer');
    if (response.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw malformedResult(
          'openai',
          `the endpoint ${opts.url} answered HTTP ${response.status} with a body that is not JSON: ${scrub(text.slice(0, 200))}`,
        );
      }
    }
    const detail = scrub(errorDetail(text));
    if (response.status !== 429 && response.status < 500) {
      throw ApplicationFailure.nonRetryable(
        `openai agent: ${opts.url} refused the request: HTTP ${response.status}${detail ? `: ${detail}` : ''}. Hint: ${hintFor(response.status)}`,
        'AgentRequestRejected',
      );
    }
    lastProblem = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    await backoffOrGiveUp(attempt, maxRetries, retryAfterMs(response.headers), lastProblem, opts);
  }
}

async function backoffOrGiveUp(
  attempt: number,
  maxRetries: number,
  retryAfter: number | undefined,
  problem: string,
  opts: PostJsonOptions,
): Promise<void> {
  if (attempt >= maxRetries) {
    // Retryable at the Temporal level: an outage may be over by the activity's next attempt.
    throw ApplicationFailure.retryable(`openai agent: ${opts.url} failed ${attempt + 1} times, last: ${problem}`, 'AgentUnavailable');
  }
  const backoff = Math.min(opts.maxBackoffMs ?? 30_000, (opts.initialBackoffMs ?? 1_000) * 2 ** attempt);
  const wait = retryAfter !== undefined ? Math.min(retryAfter, opts.maxRetryAfterMs ?? 60_000) : backoff * (0.8 + Math.random() * 0.4);
  if (opts.deadline !== undefined && Date.now() + wait >= opts.deadline) {
    throw ApplicationFailure.retryable(
      `openai agent: ${opts.url}: ${problem}; the turn's time runs out before the next try`,
      'AgentUnavailable',
    );
  }
  opts.log(`openai: ${problem}; retry ${attempt + 1} of ${maxRetries} in ${Math.round(wait)} ms`);
  await abortableSleep(wait, opts.signal);
}

/** Retry-After (seconds or an HTTP date) or OpenAI's retry-after-ms, in ms. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledFailure('openai agent: turn cancelled during backoff'));
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** OpenAI-style `{"error": {"message": ...}}`, else the start of the body. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof body.error === 'string' ? body.error : body.error?.message;
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // not JSON: fall through
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return 'check OPENAI_API_KEY';
  if (status === 404) return 'check OPENAI_BASE_URL (it should end in /v1 or the like) and the model name (BEADFLOW_OPENAI_MODEL)';
  return 'the request was invalid for this endpoint; check the model name and that it supports response_format json_object';
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}
