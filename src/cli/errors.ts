/** An error meant for the person at the terminal: a message, a hint, an exit code. No stack. */
export class CliError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'CliError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** Usage errors (bad flags or arguments) exit 2, like commander's own. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { hint, exitCode: 2 });
}
