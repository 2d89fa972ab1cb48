import { Command } from 'commander';
import { commands } from './commands';
import { configureLogging, loggerSettings } from '../observability/logger';

/** Builds the `beadflow` program: one file per command under ./commands, registered here. */
export function buildProgram(): Command {
  const program = new Command('beadflow')
    .description('Durable multi-agent workflows for beads (units of software work) on Temporal')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .option('--log-level <level>', 'diagnostic log lines (to stderr): trace, debug, info, warn, error, silent [BEADFLOW_LOG_LEVEL]')
    // One logger for the CLI too; stdout stays the command's answer.
    .hook('preAction', (cmd) => {
      configureLogging(loggerSettings({ level: cmd.opts<{ logLevel?: string }>().logLevel, stderr: true }));
    });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `beadflow history X | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  await buildProgram().parseAsync(argv);
}

if (require.main === module) void main(process.argv);
