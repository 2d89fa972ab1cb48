import { Command, CommanderError } from 'commander';
import { BeadflowError } from '../shared/errors';
import { report } from './action';
import { commands } from './commands';
import { configureLogging, loggerSettings } from '../observability/logger';

const DONE = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Builds the `beadflow` program: one file per command under ./commands, registered here. */
export function buildProgram(): Command {
  const program = new Command('beadflow')
    .description('Durable multi-agent workflows for beads (units of software work) on Temporal')
    // Commander's own parse errors (missing option, unknown command) become our usage errors, printed by report().
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined })
    .exitOverride((err) => {
      if (!DONE.has(err.code)) throw err;
    })
    .option('--log-level <level>', 'diagnostic log lines (to stderr): trace, debug, info, warn, error, silent [BEADFLOW_LOG_LEVEL]')
    // One logger for the CLI too; stdout stays the command's answer.
    .hook('preAction', (cmd) => {
      configureLogging(loggerSettings({ level: cmd.opts<{ logLevel?: string }>().logLevel, stderr: true }));
    });
  for (const register of commands) register(program);
  return program;
}

/** A commander parse error as a usage error (exit 2) with a hint. */
export function usageFromCommander(err: CommanderError): BeadflowError {
  return new BeadflowError(err.message.replace(/^error: /, ''), {
    kind: 'usage',
    hint: 'see `npx beadflow --help` or `npx beadflow <command> --help`',
  });
}

export async function main(argv: string[]): Promise<void> {
  // `beadflow history X | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // A refused global option (--log-level) is a usage error too.
    if (!(err instanceof CommanderError) && !(err instanceof BeadflowError)) throw err;
    process.exitCode = report(err instanceof CommanderError ? usageFromCommander(err) : err, { json: argv.includes('--json') });
  }
}

if (require.main === module) void main(process.argv);
