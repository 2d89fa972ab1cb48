/**
 * `command` agents: an executable of the operator's choice runs each turn in the bead's worktree
 * (else a temporary directory), reads the prompt on stdin and finds BEAD_ID, NODE_KEY, ROLE,
 * ATTEMPT in its environment. Its answer is the last stdout line when that is JSON, else its
 * exit code (0 success, anything else failure). With a preset (presets.ts) the executable is a
 * real coding CLI: the preset builds its arguments and reads its output instead.
 */
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import { malformedResult } from '../errors';
import { looksLikeJsonObject, parseAnswer } from '../../shared/answer';
import { tailText } from './output';
import type { Personas } from './personas';
import type { AgentPreset } from './presets';
import { LIMITS } from '../../shared/limits';
import { buildPrompt } from './prompt';
import type { AgentProvider, TurnContext } from './provider';
import type { ProcessOutcome } from './run-process';
import { agentPidFile } from './orphans';
import { describeExit, effectiveTimeout, runProcess } from './run-process';
import { turnDirectory } from './workdir';

export interface CommandAgentOptions {
  /** Path (or PATH name) of the executable. */
  command: string;
  /** Fixed arguments; bead data never becomes an argument. */
  args?: string[];
  personas: Personas;
  /** A turn's own time limit; the attempt's deadline applies anyway. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Base environment (default: the worker's). */
  env?: NodeJS.ProcessEnv;
  /** A real coding CLI: its arguments (`args` are appended), prompt passing and output parser. */
  preset?: AgentPreset;
}

export class CommandAgent implements AgentProvider {
  readonly name = 'command';

  constructor(private readonly opts: CommandAgentOptions) {}

  async runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult> {
    const preset = this.opts.preset;
    const agent = preset ? `command:${preset.name}:${this.opts.command}` : `command:${this.opts.command}`;
    const dir = turnDirectory(input.worktree, agent);
    try {
      const prompt = buildPrompt(input, this.opts.personas, { followUps: true }).text;
      const outcome = await runProcess(
        {
          command: this.opts.command,
          args: preset ? preset.args(prompt, this.opts.args ?? []) : (this.opts.args ?? []),
          cwd: dir.cwd,
          env: { ...(this.opts.env ?? process.env), ...turnEnvironment(input) },
          stdin: preset?.promptVia === 'argument' ? '' : prompt,
          timeoutMs: effectiveTimeout(this.opts.timeoutMs, ctx.deadline),
          killGraceMs: this.opts.killGraceMs,
          label: 'agent',
          ...(input.worktree ? { pidFile: agentPidFile(input.worktree) } : {}),
          keepStdoutChars: preset ? LIMITS.answerChars : undefined,
        },
        ctx,
      );
      return { ...(preset ? presetResult(preset, outcome) : commandResult(this.name, outcome)), agent };
    } finally {
      dir.release();
    }
  }
}

/** What a command agent learns from its environment. */
export function turnEnvironment(input: AgentTurnInput): Record<string, string> {
  return {
    BEAD_ID: input.beadId,
    NODE_KEY: input.node.key,
    NODE_TYPE: input.node.type,
    ROLE: input.node.role,
    ATTEMPT: String(input.attempt),
    DISPATCH: String(input.dispatch),
    ...(input.worktree ? { BEADFLOW_WORKTREE: input.worktree } : {}),
  };
}

/** JSON last line → that answer; otherwise the exit status decides. */
export function commandResult(provider: string, outcome: ProcessOutcome): Omit<AgentTurnResult, 'agent'> {
  const tail = tailText(outcome.tail.slice(-10), 2_000);
  if (outcome.ended === 'timed_out') {
    return {
      outcome: 'failure',
      summary: `timed out after ${Math.round(outcome.durationMs / 1000)}s and was killed${tail ? `; last output:\n${tail}` : ''}`,
    };
  }
  if (looksLikeJsonObject(outcome.lastStdoutLine)) {
    const parsed = parseAnswer(outcome.lastStdoutLine);
    if (!parsed.ok) throw malformedResult(provider, `last stdout line: ${parsed.reason} (${describeExit(outcome)})`);
    return parsed.answer;
  }
  if (outcome.exitCode === 0) return { outcome: 'success', summary: tail || 'exited 0 (no output)' };
  return { outcome: 'failure', summary: `${describeExit(outcome)}${tail ? `; last output:\n${tail}` : ''}` };
}

/** A preset's tool: a timeout is reported like any command's; otherwise the preset reads the output. */
export function presetResult(preset: AgentPreset, outcome: ProcessOutcome): Omit<AgentTurnResult, 'agent'> {
  if (outcome.ended === 'timed_out') return commandResult(preset.name, outcome);
  const answer = preset.parse(outcome.stdout ?? '', outcome.signal ? null : outcome.exitCode);
  if (answer.outcome === 'failure' && outcome.signal) {
    const tail = tailText(outcome.tail.slice(-10), 2_000);
    return { outcome: 'failure', summary: `${preset.name} ${describeExit(outcome)}${tail ? `; last output:\n${tail}` : ''}` };
  }
  return answer;
}
