/**
 * An agent's process group never outlives its turn. Two guards: a watchdog per process (it kills
 * the group when the worker dies, even by SIGKILL: src/temporal/watchdog.ts), and a pid file
 * beside the worktree, so the next attempt on this host kills what an earlier attempt left
 * running before it resets the worktree and starts again.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** The pid file of the agent working in `worktree`: beside it, not in it (it never lands in a commit). */
export function agentPidFile(worktree: string): string {
  return `${worktree.replace(/\/+$/, '')}.agent.pid`;
}

export function recordAgent(pidFile: string, pgid: number): void {
  writeFileSync(pidFile, `${pgid}\n`);
}

/** Removes the file if it still names this group (a newer attempt may have taken it over). */
export function clearAgent(pidFile: string, pgid: number): void {
  if (readPgid(pidFile) === pgid) rmSync(pidFile, { force: true });
}

function readPgid(pidFile: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills the process group an earlier attempt left in this worktree and waits (up to `waitMs`)
 * until it is gone. Returns the group it killed, if any.
 */
export async function killOrphanAgent(
  pidFile: string,
  log?: (message: string, fields?: Record<string, unknown>) => void,
  waitMs = 5_000,
): Promise<number | undefined> {
  const pgid = readPgid(pidFile);
  if (pgid === undefined) return undefined;
  rmSync(pidFile, { force: true });
  if (!groupAlive(pgid)) return undefined;
  log?.('an earlier attempt left its agent running in this worktree: killing its process group', { pgid });
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return undefined;
  }
  const until = Date.now() + waitMs;
  while (groupAlive(pgid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  return pgid;
}
