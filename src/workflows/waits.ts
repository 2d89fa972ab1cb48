/** Small helpers shared by the workflow shell's effects: deadlines, waits, failure messages. */
import { condition } from '@temporalio/workflow';

/** Milliseconds left before an epoch-ms deadline (0 = none → undefined). */
export function remainingMs(deadline: number): number | undefined {
  return deadline > 0 ? Math.max(0, deadline - Date.now()) : undefined;
}

/** condition() with an optional timeout: true when `fn` held, false when the time ran out. */
export async function waitUntil(fn: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
  if (timeoutMs === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, timeoutMs);
}

/** The innermost cause is the useful part of an ActivityFailure ("agent exited 3", not "Activity task failed"). */
export function innermostMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && (e as { cause?: unknown }).cause instanceof Error) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(err);
}
