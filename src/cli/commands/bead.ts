import type { Command } from 'commander';
import { registerBeadCreate } from './bead-create';
import { registerBeadImport } from './bead-import';
import { registerBeadList } from './bead-list';
import { registerBeadShow } from './bead-show';
import { registerBeadStart } from './bead-start';

/** `beadflow bead <subcommand>`: each subcommand lives in its own bead-*.ts file. */
export function register(program: Command): void {
  const bead = program.command('bead').description('create and start beads (units of work)');
  registerBeadStart(bead);
  registerBeadCreate(bead);
  registerBeadList(bead);
  registerBeadShow(bead);
  registerBeadImport(bead);
}
