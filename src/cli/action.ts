import { Command } from 'commander';
import { BeadflowError } from '../shared/errors';
import { describeConnectionError } from './connection';

/**
 * Wraps every command's action: one place that turns errors into a message, a hint and an exit
 * code. Stacks only with BEADFLOW_DEBUG=1, because a user can act on a hint, not on a stack.
 * With `--json` the error is one JSON object on stdout (`{"error": {...}}`), like the output.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (err) {
      const command = args.at(-1);
      process.exitCode = report(err, { json: (command instanceof Command && command.opts().json === true) || wantsJson() });
    }
  };
}

/** `--json` anywhere on the command line: errors are JSON on stdout too, for scripts. */
function wantsJson(argv = process.argv): boolean {
  return argv.slice(2).includes('--json');
}

export interface ReportedError {
  message: string;
  hint?: string;
  kind: string;
  exitCode: number;
}

/** What the user sees of an error: ours as they are, a connection failure as "start a server", anything else as unexpected. */
export function describeError(err: unknown): ReportedError {
  const known = err instanceof BeadflowError ? err : describeConnectionError(err);
  if (known) return { message: known.message, hint: known.hint, kind: known.kind, exitCode: known.exitCode };
  return {
    message: err instanceof Error ? err.message : String(err),
    hint: 'this is unexpected; rerun with BEADFLOW_DEBUG=1 for details and report it',
    kind: 'unexpected',
    exitCode: 1,
  };
}

export function report(err: unknown, opts: { json?: boolean } = {}): number {
  const debug = process.env.BEADFLOW_DEBUG === '1';
  const shown = describeError(err);
  if (opts.json ?? wantsJson()) {
    process.stdout.write(`${JSON.stringify({ error: shown }, null, 2)}\n`);
  } else {
    process.stderr.write(`error: ${shown.message}\n`);
    if (shown.hint && !(debug && shown.kind === 'unexpected')) process.stderr.write(`hint: ${shown.hint}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  }
  return shown.exitCode;
}
