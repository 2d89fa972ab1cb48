/**
 * `openai` agents: any OpenAI-compatible chat-completions endpoint. The persona is the system
 * message, the rest of the prompt the user message; the answer must be the JSON object of
 * answer.ts (`response_format: json_object`). A broken answer gets one repair request (the bad
 * answer goes back with what was wrong); a second broken answer fails the turn.
 * The API key lives in a private field of the provider: never in inputs, results or logs.
 */
import { z } from 'zod';
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import { roleSlug } from '../../shared/roles';
import { malformedResult } from '../errors';
import type { ParsedAnswer } from './answer';
import { ANSWER_FORMAT, parseAnswer } from './answer';
import type { HttpRetryOptions } from './openai-http';
import { postJson } from './openai-http';
import type { Personas } from './personas';
import { buildPrompt } from './prompt';
import type { AgentProvider, TurnContext } from './provider';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

export interface OpenAIAgentOptions extends HttpRetryOptions {
  baseUrl?: string;
  apiKey?: string;
  /** Model for roles without their own. */
  model?: string;
  /** role slug → model. */
  roleModels?: Record<string, string>;
  personas: Personas;
  temperature?: number;
}

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
});

export class OpenAIAgent implements AgentProvider {
  readonly name = 'openai';
  readonly #apiKey: string | undefined;
  private readonly opts: Omit<OpenAIAgentOptions, 'apiKey'>;
  private readonly url: string;

  constructor(options: OpenAIAgentOptions) {
    const { apiKey, ...rest } = options;
    this.#apiKey = apiKey || undefined;
    this.opts = rest;
    this.url = `${(rest.baseUrl || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
  }

  modelFor(role: string): string {
    return this.opts.roleModels?.[roleSlug(role)] ?? this.opts.model ?? DEFAULT_OPENAI_MODEL;
  }

  async runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult> {
    const model = this.modelFor(input.node.role);
    const prompt = buildPrompt(input, this.opts.personas);
    const messages: Message[] = [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ];
    const beat = () => ctx.heartbeat({ waitingFor: 'model', model });
    beat();
    const heartbeats = setInterval(beat, 2_000);
    try {
      const first = await this.complete(model, messages, ctx);
      let parsed: ParsedAnswer = parseAnswer(first);
      if (!parsed.ok) {
        ctx.log('openai: the answer is not valid; asking once for a repair', { model, reason: parsed.reason });
        messages.push({ role: 'assistant', content: first }, { role: 'user', content: repairRequest(parsed.reason) });
        parsed = parseAnswer(await this.complete(model, messages, ctx));
        if (!parsed.ok)
          throw malformedResult(
            this.name,
            `model ${model} answered invalid JSON twice (asked once to repair it); last problem: ${parsed.reason}`,
          );
      }
      return { ...parsed.answer, agent: `openai:${model}` };
    } finally {
      clearInterval(heartbeats);
    }
  }

  /** One chat completion; returns the message content ('' when there is none). */
  private async complete(model: string, messages: Message[], ctx: TurnContext): Promise<string> {
    const { maxRetries, initialBackoffMs, maxBackoffMs, maxRetryAfterMs, requestTimeoutMs } = this.opts;
    const body = await postJson({
      maxRetries,
      initialBackoffMs,
      maxBackoffMs,
      maxRetryAfterMs,
      requestTimeoutMs,
      url: this.url,
      apiKey: this.#apiKey,
      body: {
        model,
        messages,
        response_format: { type: 'json_object' },
        ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
      },
      signal: ctx.signal,
      deadline: ctx.deadline,
      log: ctx.log,
    });
    const parsed = completionSchema.safeParse(body);
    if (!parsed.success)
      throw malformedResult(this.name, `${this.url} answered without choices[0].message (not a chat-completions response)`);
    return parsed.data.choices[0].message.content ?? '';
  }
}

function repairRequest(reason: string): string {
  return `Your answer could not be used: ${reason}.\n${ANSWER_FORMAT}`;
}

/** role slug → model, from BEADFLOW_OPENAI_MODEL_<ROLE_SLUG_UPPER> (e.g. ..._QA_ENGINEER). */
export function roleModelsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const prefix = 'BEADFLOW_OPENAI_MODEL_';
  const models: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(prefix) && value) models[roleSlug(key.slice(prefix.length))] = value;
  }
  return models;
}
