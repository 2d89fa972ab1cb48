import { Command, CommanderError } from 'commander';
import { BeadflowError } from '../shared/errors';
import { report } from './action';
import { commands } from './commands';

const DONE = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Builds the `beadflow` program: one file per command under ./commands, registered here. */
export function buildProgram(): Command {
  const program = new Command('beadflow')
    .description('Durable multi-agent workflows for beads (units of software work) on Temporal')
    // Commander's own parse errors (missing option, unknown command) become our usage errors, printed by report().
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined })
    .exitOverride((err) => {
      if (!DONE.has(err.code)) throw err;
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
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = report(usageFromCommander(err), { json: argv.includes('--json') });
  }
}

if (require.main === module) void main(process.argv);
