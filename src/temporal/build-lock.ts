/**
 * A lock file so two processes (say `npm test` in two terminals) never build the Temporal CLI at
 * the same time: the second waits for the first and then uses its binary.
 */
import * as fs from 'node:fs';
import { formatDuration } from '../dsl/duration';
import { describeHolder, isStaleLock, readLockHolder, releaseLock, removeQuietly, tryAcquireLock } from '../system/lock-file';
import { sleep } from '../system/process';

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
    if (tryAcquireLock(lockFile)) {
      try {
        return { built: await work() };
      } finally {
        releaseLock(lockFile);
      }
    }
    const holder = readLockHolder(lockFile);
    if (holder === 'missing') continue;
    if (isStaleLock(lockFile, holder, opts.timeoutMs)) {
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
        `gave up after ${formatDuration(Date.now() - waitStart, 's')} waiting for ${describeHolder(holder)} to build temporal; ` +
          `if no build is running, delete ${lockFile} and retry`,
      );
    }
    await sleep(opts.pollMs ?? 1000);
    if (!fs.existsSync(lockFile) && opts.isDone()) return { waited: true };
  }
}
