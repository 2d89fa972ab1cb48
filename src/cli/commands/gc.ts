import type { Command } from 'commander';
import { sweepWorktrees } from '../../activities/git/cleanup';
import { worktreesRoot } from '../../activities/git/repo';
import { action } from '../action';

/**
 * `beadflow gc`: removes this host's leftovers under BEADFLOW_WORKTREES: worktrees of beads whose
 * ref is gone from the remote (finished beads), half-made clones, git's records of deleted worktrees.
 */
export function register(program: Command): void {
  program
    .command('gc')
    .description("remove this host's worktrees of finished beads (whose refs/beadflow/<bead> is gone from the remote)")
    .option('--root <dir>', 'worktrees root (default BEADFLOW_WORKTREES, else ~/.cache/beadflow/worktrees)')
    .action(
      action(async (options: { root?: string }) => {
        const root = options.root ?? worktreesRoot();
        const removed = await sweepWorktrees(root);
        for (const dir of removed) process.stdout.write(`removed ${dir}\n`);
        process.stdout.write(`${removed.length} leftover(s) removed under ${root}\n`);
      }),
    );
}
