import type { Command } from 'commander';
import { action } from '../action';
import { decide } from '../decision';

export function register(program: Command): void {
  program
    .command('approve')
    .description('approve the approval node a bead waits on (signal `approve`)')
    .argument('<bead>', 'bead id')
    .requiredOption('--by <who>', "your role or name (checked against the node's approvers)")
    .option('--reason <text>', 'why', '')
    .option('--node <key>', 'the approval node meant (default: the one waiting)')
    .option('--json', 'machine-readable output')
    .action(action((beadId: string, flags: { by: string; reason?: string; node?: string; json?: boolean }) => decide(beadId, true, flags)));
}
