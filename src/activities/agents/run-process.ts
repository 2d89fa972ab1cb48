/**
 * Runs one external process for a turn (command agents, verify commands) with the rules both
 * share: argv as an array (never a shell string), its own process group so a cancelled or timed
 * out turn kills everything it started, heartbeats while it runs, output streamed to the log
 * line by line (bounded) and the tail kept for the result.
 */
import { spawn } from 'node:child_process';
import { CancelledFailure } from '@temporalio/common';
import { agentConfigurationError } from '../errors';
import { LineSplitter, OutputLog, clip } from './output';
import { LIMITS } from '../../shared/limits';
import { killWhenParentDies } from '../../temporal/watchdog';
import { clearAgent, killOrphanAgent, recordAgent } from './orphans';
import type { TurnContext } from './provider';

export interface RunProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  stdin?: string;
  /** Kill the process group after this long (undefined = no limit of its own). */
  timeoutMs?: number;
  /** SIGTERM first; SIGKILL after this grace period (default 5 s). */
  killGraceMs?: number;
  /** Default 2 s: well inside any heartbeat timeout, so cancellation reaches the turn quickly. */
  heartbeatMs?: number;
  /** Lines of combined output kept for the result (default 40). */
  tailLines?: number;
  /** Prefix of log messages ("agent", "verify"). */
  label: string;
  /** Where this process group is recorded (beside the worktree) so a later attempt can kill it if it outlives the turn. */
  pidFile?: string;
  /** Also keep the last this many characters of raw stdout (agent presets parse a tool's whole output). */
  keepStdoutChars?: number;
}

export interface ProcessOutcome {
  ended: 'exited' | 'timed_out';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Last non-empty stdout line (where command agents put their JSON answer). */
  lastStdoutLine: string;
  /** Last lines of stdout and stderr, interleaved as they arrived. */
  tail: string[];
  /** The end of raw stdout, when `keepStdoutChars` asked for it. */
  stdout?: string;
  pid: number;
  durationMs: number;
}

const DEFAULT_KILL_GRACE_MS = 5_000;

/**
 * Sends `signal` to the whole process group. Never throws (it runs inside abort listeners and
 * timers, where a throw would take the worker down): a group already gone is fine, and any
 * other refusal is returned for the log.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): string | undefined {
  try {
    process.kill(-pid, signal);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' ? undefined : `cannot send ${signal} to process group ${pid}: ${code ?? String(err)}`;
  }
}

export async function runProcess(opts: RunProcessOptions, ctx: TurnContext): Promise<ProcessOutcome> {
  if (ctx.signal.aborted) throw new CancelledFailure(`${opts.label}: turn cancelled before ${opts.command} started`);
  const started = Date.now();
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  // detached: a new process group (pgid = pid), so kill(-pid) reaches grandchildren too.
  const env = { ...opts.env };
  // Set when the worker itself runs under `node --test`; a child `node --test` would take it as
  // a signal to speak the runner's internal protocol instead of running normally.
  delete env.NODE_TEST_CONTEXT;
  if (opts.pidFile) await killOrphanAgent(opts.pidFile, ctx.log);
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // The group dies with the worker, whatever kills the worker; a later attempt finds it recorded otherwise.
  const stopWatchdog = child.pid ? killWhenParentDies(child.pid, { group: true, graceSeconds: 2, pollSeconds: 0.5 }) : () => undefined;
  if (opts.pidFile && child.pid) recordAgent(opts.pidFile, child.pid);
  const output = new OutputLog(opts.label, ctx, opts.tailLines ?? 40);
  let lastStdoutLine = '';
  // Stdout lines are kept up to the answer limit (the last one may be the JSON answer); the log gets them cut short.
  const stdout = new LineSplitter((line) => {
    if (line.trim()) lastStdoutLine = line;
    output.line('stdout', clip(line));
  }, LIMITS.answerChars);
  const stderr = new LineSplitter((line) => output.line('stderr', line));
  const keep = opts.keepStdoutChars;
  let rawStdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout.push(chunk);
    if (keep !== undefined) {
      rawStdout += chunk;
      // Trimmed in batches, not per chunk: the kept text stays within twice the bound.
      if (rawStdout.length > 2 * keep) rawStdout = rawStdout.slice(rawStdout.length - keep);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  child.stdin.on('error', () => undefined); // a child that never reads stdin is not an error
  child.stdin.end(opts.stdin ?? '');

  let stopReason: 'cancelled' | 'timed_out' | undefined;
  const timers: NodeJS.Timeout[] = [];
  const stop = (reason: 'cancelled' | 'timed_out') => {
    if (stopReason || child.pid === undefined) return;
    stopReason = reason;
    ctx.log(`${opts.label}: stopping ${opts.command} (${reason}): SIGTERM to process group ${child.pid}`);
    const refused = killProcessGroup(child.pid, 'SIGTERM');
    if (refused) ctx.log(`${opts.label}: ${refused}`);
    timers.push(
      setTimeout(() => {
        const refusedKill = killProcessGroup(child.pid!, 'SIGKILL');
        if (refusedKill) ctx.log(`${opts.label}: ${refusedKill}`);
      }, grace).unref(),
    );
  };
  const onAbort = () => stop('cancelled');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (opts.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timed_out'), Math.max(0, opts.timeoutMs)));
  const beat = () => ctx.heartbeat({ pid: child.pid, lines: output.count, elapsedMs: Date.now() - started });
  beat();
  const heartbeats = setInterval(beat, opts.heartbeatMs ?? 2_000);

  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      // `on`, not `once`: an 'error' event without a listener would crash the worker.
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          reject(
            agentConfigurationError(
              `${opts.label}: cannot run ${opts.command} in ${opts.cwd}: ${err.message}. Hint: check the path is right and executable`,
            ),
          );
        }
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // The turn is over: anything it left running in its group goes too.
    killProcessGroup(child.pid!, 'SIGKILL');
    await drained(child, 1_000);
    stdout.flush();
    stderr.flush();
    output.finish();
    if (stopReason === 'cancelled')
      throw new CancelledFailure(`${opts.label}: turn cancelled; ${opts.command} (process group ${child.pid}) was killed`);
    return {
      ended: stopReason === 'timed_out' ? 'timed_out' : 'exited',
      exitCode: exit.code,
      signal: exit.signal,
      lastStdoutLine,
      tail: output.tail(),
      ...(keep === undefined ? {} : { stdout: rawStdout.length > keep ? rawStdout.slice(rawStdout.length - keep) : rawStdout }),
      pid: child.pid!,
      durationMs: Date.now() - started,
    };
  } finally {
    clearInterval(heartbeats);
    timers.forEach(clearTimeout);
    ctx.signal.removeEventListener('abort', onAbort);
    stopWatchdog();
    if (opts.pidFile && child.pid) clearAgent(opts.pidFile, child.pid);
  }
}

/** Waits for stdout/stderr to close, but not forever: a straggler may hold the pipes. */
function drained(child: ReturnType<typeof spawn>, ms: number): Promise<void> {
  if (child.stdout?.closed && child.stderr?.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve();
    }, ms);
    child.once('close', () => (clearTimeout(t), resolve()));
  });
}

/**
 * The tighter of a provider's own limit and the attempt's deadline (Temporal's start-to-close).
 * The deadline is a backstop only, hit a little after it passes: the workflow's node timer
 * cancels the turn at that moment and must win, so the node takes its timeout route, not failure.
 */
export function effectiveTimeout(ownMs: number | undefined, deadline: number | undefined, slackMs = 1_000): number | undefined {
  const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now() + slackMs);
  if (ownMs === undefined) return left;
  return left === undefined ? ownMs : Math.min(ownMs, left);
}

/** "exited 3", "killed by SIGKILL". */
export function describeExit(outcome: ProcessOutcome): string {
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return `exited ${outcome.exitCode ?? '?'}`;
}
