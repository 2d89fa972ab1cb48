/** Follows a running bead: polls its `state` query and reports each new history entry. */
import type { WorkflowHandle } from '@temporalio/client';
import type { HistoryEntry } from '../interpreter/types';
import type { BeadState } from '../workflows/messages';

export interface FollowOptions {
  onEntry?: (entry: HistoryEntry, state: BeadState) => void;
  intervalMs?: number;
  /** Stop following (but do not fail the bead) once it waits for this long without moving. */
  signal?: AbortSignal;
}

/** Resolves with the final state once the run has closed. */
export async function followBead(handle: WorkflowHandle, opts: FollowOptions = {}): Promise<BeadState> {
  let seen = 0;
  let closed = false;
  const result = handle.result().then(
    () => (closed = true),
    () => (closed = true),
  );
  for (;;) {
    const state = await handle.query<BeadState>('state').catch(() => undefined);
    if (state) {
      for (const entry of state.history) {
        if (entry.seq > seen) {
          seen = entry.seq;
          opts.onEntry?.(entry, state);
        }
      }
      if (closed) return state;
    }
    if (opts.signal?.aborted) throw new Error('stopped following');
    await Promise.race([result, new Promise((r) => setTimeout(r, opts.intervalMs ?? 200))]);
  }
}
