/**
 * A lock file so two processes (say `npm test` in two terminals) never build the Temporal CLI at
 * the same time: the second waits for the first and then uses its binary.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { delay, formatDuration, pidAlive } from './process';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface BuildLockOptions {
  log: (line: string) => void;
  /** Give up waiting for another process after this long. */
  timeoutMs: number;
  pollMs?: number;
  /** After the other process released the lock: is its result usable? */
  isDone: () => boolean;
}

export type LockOutcome<T> = { built: T } | { waited: true };

/** Runs `work` holding `lockFile`, or waits for the process that holds it and reports `waited`. */
export async function withBuildLock<T>(lockFile: string, opts: BuildLockOptions, work: () => Promise<T>): Promise<LockOutcome<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  const waitStart = Date.now();
  let announced = false;
  for (;;) {
    if (tryAcquire(lockFile)) {
      try {
        return { built: await work() };
      } finally {
        release(lockFile);
      }
    }
    const holder = readLock(lockFile);
    if (holder === 'missing') continue;
    if (isStale(lockFile, holder, opts.timeoutMs)) {
      opts.log(`removing stale build lock ${lockFile} (${describeHolder(holder)} is gone)`);
      removeQuietly(lockFile);
      continue;
    }
    if (!announced) {
      opts.log(`another process (${describeHolder(holder)}) is building temporal; waiting for it (lock ${lockFile})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `gave up after ${formatDuration(Date.now() - waitStart)} waiting for ${describeHolder(holder)} to build temporal; ` +
          `if no build is running, delete ${lockFile} and retry`,
      );
    }
    await delay(opts.pollMs ?? 1000);
    if (!fs.existsSync(lockFile) && opts.isDone()) return { waited: true };
  }
}

const exitCleanups = new Map<string, () => void>();

function tryAcquire(lockFile: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  fs.writeSync(fd, JSON.stringify(info));
  fs.closeSync(fd);
  const cleanup = () => release(lockFile);
  exitCleanups.set(lockFile, cleanup);
  process.once('exit', cleanup);
  return true;
}

function release(lockFile: string): void {
  const holder = readLock(lockFile);
  if (holder !== 'missing' && holder !== 'unreadable' && holder.pid === process.pid) removeQuietly(lockFile);
  const cleanup = exitCleanups.get(lockFile);
  if (cleanup) process.removeListener('exit', cleanup);
  exitCleanups.delete(lockFile);
}

function readLock(lockFile: string): LockInfo | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.pid === 'number' ? info : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function isStale(lockFile: string, holder: LockInfo | 'unreadable', timeoutMs: number): boolean {
  if (holder === 'unreadable' || holder.host !== os.hostname()) {
    // Just created (content not written yet) or another host's: judge by age only.
    const age = ageMs(lockFile);
    return age !== undefined && age > (holder === 'unreadable' ? 10_000 : timeoutMs);
  }
  return !pidAlive(holder.pid);
}

function ageMs(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockInfo | 'unreadable'): string {
  return holder === 'unreadable' ? 'an unknown process' : `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}
