/** Where a turn's process runs: the bead's worktree, else a fresh temporary directory. */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../shared/errors';

export interface TurnDirectory {
  cwd: string;
  temporary: boolean;
  release(): void;
}

export function turnDirectory(worktree: string | undefined, label: string): TurnDirectory {
  if (worktree) {
    if (!existsSync(worktree) || !statSync(worktree).isDirectory()) {
      // Retryable: another worker (one that shares the repository's disk) may see it.
      throw ApplicationFailure.retryable(
        `${label}: the bead's worktree ${worktree} does not exist on this worker. Hint: run command and verify workers on a machine that shares the repository's disk`,
        ERROR_TYPES.worktreeMissing,
      );
    }
    return { cwd: worktree, temporary: false, release: () => undefined };
  }
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'beadflow-turn-'));
  return { cwd, temporary: true, release: () => rmSync(cwd, { recursive: true, force: true }) };
}
