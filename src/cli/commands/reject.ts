import type { Command } from 'commander';
import { action } from '../action';
import { decide } from '../decision';

export function register(program: Command): void {
  program
    .command('reject')
    .description('reject the approval node a bead waits on (signal `reject`); the reason becomes feedback')
    .argument('<bead>', 'bead id')
    .requiredOption('--by <who>', "your role or name (checked against the node's approvers)")
    .requiredOption('--reason <text>', 'what must change: the next agent turn sees it')
    .option('--node <key>', 'the approval node meant (default: the one waiting)')
    .option('--json', 'machine-readable output')
    .action(action((beadId: string, flags: { by: string; reason: string; node?: string; json?: boolean }) => decide(beadId, false, flags)));
}
