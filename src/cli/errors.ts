/** The CLI's errors: the shared BeadflowError (message, hint, kind → exit code, see EXIT_CODES), rendered without a stack. */
import { BeadflowError, type ErrorKind } from '../shared/errors';

export class CliError extends BeadflowError {
  constructor(message: string, opts: { hint?: string; kind?: ErrorKind; exitCode?: number } = {}) {
    super(message, { hint: opts.hint, kind: opts.kind ?? (opts.exitCode === 2 ? 'usage' : 'failed') });
    this.name = 'CliError';
  }
}

/** Usage errors (bad flags or arguments) exit 2, like commander's own. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { hint, kind: 'usage' });
}

/** The trimmed value, or a usage error naming the empty argument and what to pass instead. */
export function nonEmpty(value: string, what: string, hint: string): string {
  if (!value.trim()) throw usageError(`${what} is empty`, hint);
  return value.trim();
}

export const BEAD_ID_HINT = 'pass a bead id; list beads with `npx beadflow list`';
