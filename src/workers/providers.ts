/**
 * Picks the agent provider a worker runs: --agent / BEADFLOW_AGENT (default `scripted`), and per
 * role BEADFLOW_AGENT_<ROLE_SLUG_UPPER> (e.g. BEADFLOW_AGENT_QA_ENGINEER=command). Everything is
 * checked here, at start, so a misconfigured worker stops with a hint instead of failing turns.
 * --agent-preset / BEADFLOW_AGENT_PRESET picks a coding CLI for the command provider (implied).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { CommandAgent } from '../activities/agents/command';
import { LlmAgent } from '../activities/agents/llm';
import type { RoleTools } from '../activities/agents/llm';
import { ModelCatalog, modelForRole, parseModelSpec } from '../activities/llm/models';
import type { AgentPreset } from '../activities/agents/presets';
import { PRESET_NAMES, findPreset } from '../activities/agents/presets';
import type { Personas } from '../activities/agents/personas';
import { loadPersonas } from '../activities/agents/personas';
import type { AgentProvider } from '../activities/agents/provider';
import { RoleRoutedProvider } from '../activities/agents/routed';
import { ScriptedAgent } from '../activities/agents/scripted';
import { BeadflowError } from '../shared/errors';
import { parseDuration } from '../dsl/duration';
import type { Scenario } from '../shared/bead';
import { KNOWN_ROLES, roleSlug } from '../shared/roles';
import { loadScenarioFile } from '../shared/scenario';

export const PROVIDERS = ['scripted', 'command', 'llm', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ProviderOptions {
  agent?: string;
  /** llm agents: `<provider>:<model>` (--model). */
  model?: string;
  /** llm agents: tools roles add from MCP servers. */
  extraTools?: RoleTools;
  scenarioFile?: string;
  /** Command agents: the executable and its fixed arguments. */
  agentCommand?: string;
  agentArgs?: string[];
  /** A coding CLI preset (--agent-preset / BEADFLOW_AGENT_PRESET): implies the command provider. */
  agentPreset?: string;
  /** Directory of <role-slug>.md personas (default: the project's personas/). */
  personasDir?: string;
  /** Roles this worker serves: where per-role overrides are looked up (default: all known). */
  roles?: string[];
  env?: NodeJS.ProcessEnv;
}

/** "qa-engineer" → "QA_ENGINEER": the suffix of per-role environment variables. */
export function roleEnvSuffix(role: string): string {
  return roleSlug(role).toUpperCase().replace(/-/g, '_');
}

export function createProvider(opts: ProviderOptions): AgentProvider {
  const env = opts.env ?? process.env;
  const preset = presetFrom(opts, env);
  const agent = opts.agent ?? env.BEADFLOW_AGENT;
  if (preset && agent && agent !== 'command') {
    throw new BeadflowError(`--agent-preset ${preset.name} runs the command provider, not "${agent}"`, {
      hint: 'drop --agent (BEADFLOW_AGENT) or set it to command',
      kind: 'usage',
    });
  }
  const fallback = checkedName(agent ?? (preset ? 'command' : 'scripted'), opts.agent ? '--agent' : 'BEADFLOW_AGENT');
  let personas: Personas | undefined;
  const make = (name: ProviderName, role?: string): AgentProvider => {
    if (name === 'scripted') return scripted(opts, env);
    personas ??= readPersonas(opts.personasDir ?? env.BEADFLOW_PERSONAS);
    if (name === 'command') return command(opts, env, personas, role, preset);
    return llm(name, opts, env, personas, role);
  };
  const base = make(fallback);
  const byRole = new Map<string, AgentProvider>();
  for (const role of opts.roles ?? KNOWN_ROLES) {
    const key = `BEADFLOW_AGENT_${roleEnvSuffix(role)}`;
    const perRole = env[key] ? checkedName(env[key], key) : undefined;
    const ownCommand = env[`BEADFLOW_AGENT_COMMAND_${roleEnvSuffix(role)}`];
    if ((perRole && perRole !== fallback) || (ownCommand && (perRole ?? fallback) === 'command')) {
      byRole.set(roleSlug(role), make(perRole ?? fallback, role));
    }
  }
  return byRole.size ? new RoleRoutedProvider(base, byRole) : base;
}

function checkedName(name: string, where: string): ProviderName {
  if ((PROVIDERS as readonly string[]).includes(name)) return name as ProviderName;
  throw new BeadflowError(`unknown agent provider "${name}" (from ${where})`, {
    hint: `use one of: ${PROVIDERS.join(', ')}`,
    kind: 'usage',
  });
}

function presetFrom(opts: ProviderOptions, env: NodeJS.ProcessEnv): AgentPreset | undefined {
  const name = opts.agentPreset ?? (env.BEADFLOW_AGENT_PRESET || undefined);
  if (name === undefined) return undefined;
  const preset = findPreset(name);
  if (preset) return preset;
  throw new BeadflowError(`unknown agent preset "${name}" (from ${opts.agentPreset ? '--agent-preset' : 'BEADFLOW_AGENT_PRESET'})`, {
    hint: `use one of: ${PRESET_NAMES.join(', ')}`,
    kind: 'usage',
  });
}

/** Where a PATH name resolves to an executable (presets name their tool without a path). */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.resolve(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function scripted(opts: ProviderOptions, env: NodeJS.ProcessEnv): AgentProvider {
  const file = opts.scenarioFile ?? env.BEADFLOW_SCENARIO;
  const scenario: Scenario = file ? loadScenarioFile(file) : {};
  return new ScriptedAgent(scenario);
}

function command(opts: ProviderOptions, env: NodeJS.ProcessEnv, personas: Personas, role?: string, preset?: AgentPreset): AgentProvider {
  const own = role ? env[`BEADFLOW_AGENT_COMMAND_${roleEnvSuffix(role)}`] : undefined;
  let given = own ?? opts.agentCommand ?? env.BEADFLOW_AGENT_COMMAND;
  if (preset && !given) {
    // Resolved now: the worker's log and each turn's agent name show which copy of the tool runs.
    given = onPath(preset.executable, env);
    if (!given) {
      throw new BeadflowError(`agent preset ${preset.name}: ${preset.executable} is not on PATH`, {
        hint: `install ${preset.description}, or pass --agent-command PATH to its executable`,
        kind: 'usage',
      });
    }
  }
  if (!given) {
    throw new BeadflowError('the command agent needs an executable', {
      hint: 'pass --agent-command PATH or set BEADFLOW_AGENT_COMMAND',
      kind: 'usage',
    });
  }
  // A relative path means the worker's directory, not the bead's worktree the agent runs in.
  const executable = given.includes('/') ? path.resolve(given) : given;
  if (executable.includes('/')) {
    try {
      accessSync(executable, constants.X_OK);
    } catch {
      throw new BeadflowError(`agent command ${executable} does not exist or is not executable`, {
        hint: `chmod +x ${executable}, or pass another --agent-command`,
        kind: 'usage',
      });
    }
  }
  return new CommandAgent({
    command: executable,
    args: opts.agentArgs ?? jsonArgs(env.BEADFLOW_AGENT_ARGS),
    personas,
    timeoutMs: duration(env, 'BEADFLOW_AGENT_TIMEOUT'),
    killGraceMs: duration(env, 'BEADFLOW_AGENT_KILL_GRACE'),
    preset,
  });
}

/**
 * `llm`: a tool-using model agent. `openai` is the same agent on an OpenAI-compatible endpoint
 * (the provider before `llm` existed): BEADFLOW_OPENAI_MODEL names the model, OPENAI_BASE_URL
 * the endpoint. Every served role's model is checked now, so a missing key stops the worker.
 */
function llm(name: 'llm' | 'openai', opts: ProviderOptions, env: NodeJS.ProcessEnv, personas: Personas, role?: string): AgentProvider {
  const legacyModel = env.BEADFLOW_OPENAI_MODEL || 'gpt-4o-mini';
  const model = name === 'openai' && !opts.model && !env.BEADFLOW_MODEL ? `openai-compatible:${legacyModel}` : opts.model;
  const models = new ModelCatalog(env);
  for (const r of role ? [role] : (opts.roles ?? KNOWN_ROLES)) {
    const text = modelForRole(r, { model, env });
    const spec = parseModelSpec(text, opts.model && text === opts.model ? '--model' : 'BEADFLOW_MODEL');
    models.check(spec, `role ${r}`);
  }
  return new LlmAgent({ model, env, personas, models, extraTools: opts.extraTools, name });
}

function readPersonas(dir: string | undefined): Personas {
  try {
    return loadPersonas(dir);
  } catch (err) {
    throw new BeadflowError((err as Error).message.replace(/ Hint: .*$/, ''), {
      hint: 'pass --personas DIR (or BEADFLOW_PERSONAS) with <role-slug>.md files',
      kind: 'usage',
    });
  }
}

function duration(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const text = env[key];
  if (text === undefined || text === '') return undefined;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new BeadflowError(`${key}="${text}" is not a duration`, { hint: 'write it like 90s, 5m or 1h30m', kind: 'usage' });
  return ms;
}

function jsonArgs(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new BeadflowError(`BEADFLOW_AGENT_ARGS must be a JSON array of strings, not ${text}`, {
      hint: 'e.g. BEADFLOW_AGENT_ARGS=\'["--model", "x"]\'',
      kind: 'usage',
    });
  }
  return value;
}
