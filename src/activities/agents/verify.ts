/**
 * Verify nodes with a command (`verify: { command: [...] }`) run the repository's own check in
 * the bead's worktree instead of asking an agent: exit 0 → approved, anything else → rejected
 * with the tail of the output, which the interpreter turns into the next turn's feedback.
 * A wrapper around whatever provider the worker runs, so it works with any `--agent`.
 */
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import { turnEnvironment } from './command';
import type { AgentProvider, TurnContext } from './provider';
import { tailText } from './output';
import { agentPidFile } from './orphans';
import { describeExit, effectiveTimeout, runProcess } from './run-process';
import { turnDirectory } from './workdir';

export interface VerifyOptions {
  /** A verify command's own time limit; the attempt's deadline applies anyway. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Lines of output a rejection carries (default 40). */
  tailLines?: number;
  env?: NodeJS.ProcessEnv;
}

export class VerifyingProvider implements AgentProvider {
  readonly name: string;

  constructor(
    readonly inner: AgentProvider,
    private readonly opts: VerifyOptions = {},
  ) {
    this.name = inner.name;
  }

  runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult> {
    const command = input.node.type === 'verify' ? input.node.verify?.command : undefined;
    if (!command || command.length === 0) return this.inner.runTurn(input, ctx);
    return runVerifyCommand(command, input, ctx, this.opts);
  }
}

/** Wraps once: wrapping a wrapped provider returns it unchanged. */
export function withVerify(provider: AgentProvider, opts?: VerifyOptions): AgentProvider {
  return provider instanceof VerifyingProvider ? provider : new VerifyingProvider(provider, opts);
}

export async function runVerifyCommand(
  command: string[],
  input: AgentTurnInput,
  ctx: TurnContext,
  opts: VerifyOptions = {},
): Promise<AgentTurnResult> {
  const shown = command.join(' ');
  const agent = `verify:${shown}`;
  const dir = turnDirectory(input.worktree, agent);
  try {
    const outcome = await runProcess(
      {
        command: command[0],
        args: command.slice(1),
        cwd: dir.cwd,
        env: { ...(opts.env ?? process.env), ...turnEnvironment(input) },
        timeoutMs: effectiveTimeout(opts.timeoutMs, ctx.deadline),
        killGraceMs: opts.killGraceMs,
        tailLines: opts.tailLines ?? 40,
        label: 'verify',
        ...(input.worktree ? { pidFile: agentPidFile(input.worktree) } : {}),
      },
      ctx,
    );
    const where = dir.temporary ? ' (the bead has no worktree: ran in an empty temporary directory)' : '';
    const tail = tailText(outcome.tail);
    if (outcome.ended === 'exited' && outcome.exitCode === 0) {
      return {
        outcome: 'approved',
        summary: `\`${shown}\` passed${where}${tail ? `:\n${tailText(outcome.tail.slice(-5), 1_000)}` : ''}`,
        agent,
      };
    }
    const why = outcome.ended === 'timed_out' ? `timed out after ${Math.round(outcome.durationMs / 1000)}s` : describeExit(outcome);
    return { outcome: 'rejected', summary: `\`${shown}\` ${why}${where}${tail ? `; last output:\n${tail}` : ' with no output'}`, agent };
  } finally {
    dir.release();
  }
}
