import { Command } from 'commander';
import { commands } from './commands';

/** Builds the `beadflow` program: one file per command under ./commands, registered here. */
export function buildProgram(): Command {
  const program = new Command('beadflow')
    .description('Durable multi-agent workflows for beads (units of software work) on Temporal')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

if (require.main === module) void main(process.argv);
