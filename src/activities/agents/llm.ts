/**
 * `llm` agents: a tool-using model (AI SDK) that reads, edits and tests the bead's code. The turn
 * does not run inside this activity: it plans the loop (model, prompt, tools, limits, where the
 * worktree is) and the workflow runs each model call and tool call as its own activity on this
 * host's queue (src/workflows/agent-loop.ts). The key stays in the worker's environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import type { AgentLoopPlan, ToolSpec } from '../../shared/agent-loop';
import { DEFAULT_AGENT_LIMITS } from '../../shared/agent-loop';
import { agentConfigurationError } from '../errors';
import type { ExtraTools } from '../llm/host';
import { BUILTIN_TOOLS } from '../llm/tools';
import { modelForRole, parseModelSpec } from '../llm/models';
import type { ModelCatalog } from '../llm/models';
import type { Personas } from './personas';
import { buildPrompt } from './prompt';
import type { AgentProvider } from './provider';

/** Tools a role adds from MCP servers (src/activities/llm/mcp.ts): listed when a turn starts, called from the host. */
export interface RoleTools extends ExtraTools {
  tools(role: string): Promise<ToolSpec[]>;
}

export interface LlmAgentOptions {
  /** --model: `<provider>:<model>` for roles without their own BEADFLOW_MODEL_<ROLE>. */
  model?: string;
  env: NodeJS.ProcessEnv;
  personas: Personas;
  models: ModelCatalog;
  /** MCP tools a role adds. */
  extraTools?: RoleTools;
  /** Name in results ("llm"; "openai" for the old --agent openai). */
  name?: string;
}

/** Where the loop runs, as the turn activity found it on this host. */
export interface LoopHost {
  queue: string;
  worktree?: string;
  finish?: AgentLoopPlan['finish'];
}

export const TOOL_GUIDANCE = [
  '# How to work',
  "You work in the bead's git worktree through tools: read_file, list_files, search, write_file, edit_file, run_tests, git_diff.",
  'Read before you change; make the change the task asks for with edit_file (exact text) or write_file; check it with run_tests.',
  'End the turn by calling finish with your outcome and a summary of what you changed and why.',
].join('\n');

export class LlmAgent implements AgentProvider {
  readonly name: string;
  constructor(private readonly opts: LlmAgentOptions) {
    this.name = opts.name ?? 'llm';
  }

  /** What the host activities call models and extra tools with. */
  get models(): ModelCatalog {
    return this.opts.models;
  }

  get extraTools(): LlmAgentOptions['extraTools'] {
    return this.opts.extraTools;
  }

  modelFor(role: string): string {
    return modelForRole(role, { model: this.opts.model, env: this.opts.env });
  }

  runTurn(): Promise<AgentTurnResult> {
    // Only reached by a workflow that cannot run the loop (a bead started by an older beadflow).
    return Promise.reject(
      agentConfigurationError(
        "llm agents run their turn as an agentLoop child workflow, which this bead's workflow does not start. Hint: restart the bead (`beadflow bead start`) on this version of beadflow",
      ),
    );
  }

  async planLoop(input: AgentTurnInput, host: LoopHost): Promise<AgentLoopPlan> {
    const model = this.modelFor(input.node.role);
    parseModelSpec(model, 'the model');
    const prompt = buildPrompt(input, this.opts.personas);
    const testCommand = input.node.testCommand ?? (host.worktree ? detectTestCommand(host.worktree) : undefined);
    const extra = this.opts.extraTools ? await this.opts.extraTools.tools(input.node.role) : [];
    return {
      hostQueue: host.queue,
      model,
      system: prompt.system,
      prompt: `${prompt.user}\n\n${TOOL_GUIDANCE}`,
      tools: [...BUILTIN_TOOLS, ...extra],
      limits: input.node.limits ?? DEFAULT_AGENT_LIMITS,
      ...(host.worktree ? { worktree: host.worktree } : {}),
      ...(testCommand ? { testCommand } : {}),
      ...(host.finish ? { finish: host.finish } : {}),
      agent: `${this.name}:${model}`,
    };
  }
}

export function isLoopPlanner(provider: AgentProvider): provider is LlmAgent {
  return typeof (provider as Partial<LlmAgent>).planLoop === 'function';
}

/** The repository's own test command when the definition names none: package.json's test script, a Makefile's test target. */
export function detectTestCommand(worktree: string): string[] | undefined {
  const pkg = path.join(worktree, 'package.json');
  if (existsSync(pkg)) {
    try {
      const scripts = (JSON.parse(readFileSync(pkg, 'utf8')) as { scripts?: Record<string, unknown> }).scripts;
      if (typeof scripts?.test === 'string') return ['npm', 'test', '--silent'];
    } catch {
      return undefined;
    }
  }
  const makefile = path.join(worktree, 'Makefile');
  if (existsSync(makefile) && /^test:/m.test(readFileSync(makefile, 'utf8'))) return ['make', 'test'];
  return undefined;
}
