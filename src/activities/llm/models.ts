/**
 * `<provider>:<model>` → an AI SDK language model, with each provider's own conventions for
 * endpoint and key (OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL).
 * The key is read here, in the worker, and only ever leaves it in the request's headers.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { BeadflowError } from '../../shared/errors';
import { roleSlug } from '../../shared/roles';

export const MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export const DEFAULT_MODEL = 'openai:gpt-4.1';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';

export interface ModelSpec {
  provider: ModelProvider;
  model: string;
}

/** "openai-compatible:qwen2.5-coder" → { provider, model }; a clear error names where the text came from. */
export function parseModelSpec(text: string, where: string): ModelSpec {
  const at = text.indexOf(':');
  const provider = at > 0 ? text.slice(0, at) : '';
  const model = at > 0 ? text.slice(at + 1).trim() : '';
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider) || !model) {
    throw new BeadflowError(`${where}="${text}" is not <provider>:<model>`, {
      hint: `write it like openai:gpt-4.1, anthropic:claude-sonnet-4-5 or openai-compatible:qwen2.5-coder (providers: ${MODEL_PROVIDERS.join(', ')})`,
      kind: 'usage',
    });
  }
  return { provider: provider as ModelProvider, model };
}

/**
 * The model a role's turns use: BEADFLOW_MODEL_<ROLE> beats --model / BEADFLOW_MODEL. The old
 * `openai` agent's BEADFLOW_OPENAI_MODEL[_<ROLE>] still work, as openai-compatible models.
 */
export function modelForRole(role: string, opts: { model?: string; env: NodeJS.ProcessEnv }): string {
  const suffix = roleSlug(role).toUpperCase().replace(/-/g, '_');
  const env = opts.env;
  const own = suffix ? env[`BEADFLOW_MODEL_${suffix}`] : undefined;
  if (own) return own;
  if (opts.model) return opts.model;
  if (env.BEADFLOW_MODEL) return env.BEADFLOW_MODEL;
  const legacy = (suffix && env[`BEADFLOW_OPENAI_MODEL_${suffix}`]) || env.BEADFLOW_OPENAI_MODEL;
  if (legacy) return `openai-compatible:${legacy}`;
  return DEFAULT_MODEL;
}

/** Builds models from the worker's environment; one provider instance per spec. */
export class ModelCatalog {
  private readonly cache = new Map<string, LanguageModel>();
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Where calls of this model go, for messages (never the key). */
  endpoint(spec: ModelSpec): string {
    if (spec.provider === 'anthropic') {
      // Anthropic's own clients write the root (https://api.anthropic.com), the AI SDK the API (…/v1): take either.
      const base = trimSlash(this.env.ANTHROPIC_BASE_URL || DEFAULT_ANTHROPIC_BASE_URL);
      return /\/v1$/.test(base) ? base : `${base}/v1`;
    }
    return trimSlash(this.env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL);
  }

  /** Refuses, at worker start, a configuration whose calls could only fail. */
  check(spec: ModelSpec, where: string): void {
    if (spec.provider === 'anthropic' && !this.env.ANTHROPIC_API_KEY) {
      throw new BeadflowError(`${where} uses ${spec.provider}:${spec.model} but ANTHROPIC_API_KEY is not set`, {
        hint: 'set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint)',
        kind: 'usage',
      });
    }
    if (spec.provider === 'openai' && !this.env.OPENAI_API_KEY) {
      throw new BeadflowError(`${where} uses ${spec.provider}:${spec.model} but OPENAI_API_KEY is not set`, {
        hint: 'set OPENAI_API_KEY, or use openai-compatible:<model> with OPENAI_BASE_URL for a local server (key optional)',
        kind: 'usage',
      });
    }
    if (spec.provider === 'openai-compatible' && !this.env.OPENAI_BASE_URL && !this.env.OPENAI_API_KEY) {
      throw new BeadflowError(`${where} uses ${spec.provider}:${spec.model} but OPENAI_BASE_URL is not set`, {
        hint: 'set OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 (vLLM, Ollama, LM Studio, llama.cpp) or OPENAI_API_KEY for the hosted API',
        kind: 'usage',
      });
    }
  }

  model(spec: ModelSpec): LanguageModel {
    const key = `${spec.provider}:${spec.model}`;
    let model = this.cache.get(key);
    if (!model) {
      model = this.build(spec);
      this.cache.set(key, model);
    }
    return model;
  }

  private build(spec: ModelSpec): LanguageModel {
    const env = this.env;
    switch (spec.provider) {
      case 'openai':
        return createOpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: this.endpoint(spec) })(spec.model);
      case 'anthropic':
        return createAnthropic({ apiKey: env.ANTHROPIC_API_KEY, baseURL: this.endpoint(spec) })(spec.model);
      case 'openai-compatible':
        return createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: this.endpoint(spec),
          ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
          includeUsage: true,
        })(spec.model);
    }
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
