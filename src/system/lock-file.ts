/**
 * Lock files, one home: an exclusive file holding the holder's pid, host and start time. A holder
 * on this host whose pid is gone left a stale lock that the next process removes; one on another
 * host (a shared disk) or one not written yet is judged by its age.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pidAlive, sleep } from './process';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

const exitCleanups = new Map<string, () => void>();

/** Takes the lock when nobody holds it; released on `releaseLock` or when this process exits. */
export function tryAcquireLock(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  fs.writeSync(fd, JSON.stringify(holder));
  fs.closeSync(fd);
  const cleanup = () => releaseLock(file);
  exitCleanups.set(file, cleanup);
  process.once('exit', cleanup);
  return true;
}

/** Removes the lock if this process holds it. */
export function releaseLock(file: string): void {
  const holder = readLockHolder(file);
  if (holder !== 'missing' && holder !== 'unreadable' && holder.pid === process.pid) removeQuietly(file);
  const cleanup = exitCleanups.get(file);
  if (cleanup) process.removeListener('exit', cleanup);
  exitCleanups.delete(file);
}

export function readLockHolder(file: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === 'number' ? holder : 'unreadable';
  } catch {
    // A bare pid (older lock files) still names its holder.
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? { pid, host: os.hostname(), startedAt: '?' } : 'unreadable';
  }
}

/** The holder is gone: its pid is dead (this host), or the lock is older than `foreignAfterMs` (another host, or never written). */
export function isStaleLock(file: string, holder: LockHolder | 'unreadable', foreignAfterMs: number): boolean {
  if (holder === 'unreadable' || holder.host !== os.hostname()) {
    const age = ageMs(file);
    return age !== undefined && age > (holder === 'unreadable' ? 10_000 : foreignAfterMs);
  }
  return !pidAlive(holder.pid);
}

export function describeHolder(holder: LockHolder | 'unreadable'): string {
  return holder === 'unreadable' ? 'an unknown process' : `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;
}

export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

function ageMs(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding `file`: waits while a live process holds it, takes over a dead one's, gives up after `timeoutMs`. */
export async function withLockFile<T>(
  file: string,
  fn: () => Promise<T>,
  opts: { timeoutMs: number; what: string; pollMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!tryAcquireLock(file)) {
    const holder = readLockHolder(file);
    if (holder === 'missing') continue;
    if (isStaleLock(file, holder, opts.timeoutMs)) {
      removeQuietly(file);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describeHolder(holder)} to finish ${opts.what} (lock ${file})`);
    await sleep(opts.pollMs ?? 100);
  }
  try {
    return await fn();
  } finally {
    releaseLock(file);
  }
}
