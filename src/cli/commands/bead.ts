import type { Command } from 'commander';
import { registerBeadStart } from './bead-start';

/** `beadflow bead <subcommand>`: each subcommand lives in its own bead-*.ts file. */
export function register(program: Command): void {
  const bead = program.command('bead').description('create and start beads (units of work)');
  registerBeadStart(bead);
}
