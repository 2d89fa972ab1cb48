/** Closed-loop load: keep `concurrency` runs in flight until `count` have finished. */

export interface LoadResult {
  wallMs: number;
  completed: number;
  failures: string[];
}

export interface LoadOptions {
  count: number;
  concurrency: number;
  /** Starts run i and resolves when it has finished (throws if it failed). */
  run: (i: number) => Promise<void>;
  onProgress?: (done: number) => void;
}

export async function closedLoop(opts: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let completed = 0;
  const failures: string[] = [];
  const started = performance.now();
  const lane = async () => {
    while (next < opts.count) {
      const i = next++;
      try {
        await opts.run(i);
        completed++;
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
      opts.onProgress?.(completed + failures.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.count)) }, lane));
  return { wallMs: performance.now() - started, completed, failures };
}

/** Runs `fn` over `items` with at most `limit` at once; resolves with results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
