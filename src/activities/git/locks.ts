/**
 * Lock files a killed git left behind (`index.lock`, `HEAD.lock`, `packed-refs.lock`, a ref's
 * `.lock`). Git never removes another process's lock, so one leftover fails every later command
 * on that repository. A lock counts as stale when it is older than a threshold and no live git
 * process works in the repository's directory (Linux: /proc; elsewhere only the age decides).
 */
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** Git holds its locks for milliseconds; a lock this old with no git running is a leftover. */
export const STALE_LOCK_MS = 5_000;

const TOP_LEVEL_LOCKS = ['index.lock', 'HEAD.lock', 'packed-refs.lock', 'config.lock', 'shallow.lock', 'ORIG_HEAD.lock', 'FETCH_HEAD.lock'];

/** Every lock file git may leave in `gitDir` (a bare clone, a repository's .git, or a worktree's gitdir). */
export function lockFiles(gitDir: string): string[] {
  const found: string[] = [];
  const addIf = (file: string) => {
    try {
      if (statSync(file).isFile()) found.push(file);
    } catch {
      /* absent */
    }
  };
  for (const name of TOP_LEVEL_LOCKS) addIf(path.join(gitDir, name));
  for (const wt of safeReaddir(path.join(gitDir, 'worktrees')))
    for (const name of TOP_LEVEL_LOCKS) addIf(path.join(gitDir, 'worktrees', wt, name));
  walk(path.join(gitDir, 'refs'), (file) => file.endsWith('.lock') && found.push(file));
  return found;
}

/** Pids of running git processes whose working directory is inside `dir`. */
export function liveGitProcessesIn(dir: string): number[] {
  const pids: number[] = [];
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0];
      if (!/(^|\/)git(-[a-z-]+)?$/.test(argv0)) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(prefix)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/**
 * Removes stale lock files under `gitDir`, whose repository lives in `ownerDir` (where a live git
 * would run). Returns what it removed, for the log.
 */
export function removeStaleLocks(gitDir: string, ownerDir: string, staleAfterMs = STALE_LOCK_MS, now = Date.now()): string[] {
  const old = lockFiles(gitDir).filter((file) => {
    try {
      return now - statSync(file).mtimeMs >= staleAfterMs;
    } catch {
      return false;
    }
  });
  if (old.length === 0 || liveGitProcessesIn(ownerDir).length > 0) return [];
  for (const file of old) rmSync(file, { force: true });
  return old;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function walk(dir: string, visit: (file: string) => void): void {
  for (const entry of safeReaddir(dir)) {
    const full = path.join(dir, entry);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue;
    }
    if (isDir) walk(full, visit);
    else visit(full);
  }
}
