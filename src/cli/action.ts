import { BeadflowError } from '../shared/errors';
import { describeConnectionError } from './connection';

/**
 * Wraps every command's action: one place that turns errors into a message, a hint and an exit
 * code. Stacks only with BEADFLOW_DEBUG=1, because a user can act on a hint, not on a stack.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = report(err);
    }
  };
}

/** `--json` anywhere on the command line: errors are JSON on stdout too, for scripts. */
function wantsJson(argv = process.argv): boolean {
  return argv.slice(2).includes('--json');
}

export function report(err: unknown): number {
  const debug = process.env.BEADFLOW_DEBUG === '1';
  const cli = err instanceof BeadflowError ? err : describeConnectionError(err);
  if (wantsJson()) {
    const message = cli?.message ?? (err instanceof Error ? err.message : String(err));
    const exitCode = cli?.exitCode ?? 1;
    process.stdout.write(`${JSON.stringify({ error: { message, hint: cli?.hint, kind: cli?.kind ?? 'failed', exitCode } })}\n`);
    return exitCode;
  }
  if (cli) {
    process.stderr.write(`error: ${cli.message}\n`);
    if (cli.hint) process.stderr.write(`hint: ${cli.hint}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return cli.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  process.stderr.write(
    debug && err instanceof Error && err.stack
      ? `${err.stack}\n`
      : 'hint: this is unexpected; rerun with BEADFLOW_DEBUG=1 for details and report it\n',
  );
  return 1;
}
