/** Follows a bead: polls its `state` query, reports each new history entry and each time it parks. */
import type { WorkflowHandle } from '@temporalio/client';
import type { HistoryEntry } from '../interpreter/types';
import { BeadflowError } from '../shared/errors';
import type { BeadState } from '../workflows/messages';
import { stateQuery } from '../workflows/messages';

/** The part of a workflow handle following needs (tests pass a stand-in). */
export type FollowedRun = Pick<WorkflowHandle, 'workflowId' | 'query' | 'result'> & Partial<Pick<WorkflowHandle, 'client'>>;

export interface FollowOptions {
  onEntry?: (entry: HistoryEntry, state: BeadState) => void;
  /** Once each time the bead parks: it waits for a person's decision or for the CEO (escalated). */
  onPark?: (state: BeadState) => void;
  intervalMs?: number;
  /** Stop following (the bead keeps running): rejects with FollowStopped carrying the last state seen. */
  signal?: AbortSignal;
  /** After the run closed, how many failed queries in a row before giving up (default 10: no worker may answer any more). */
  closedQueryAttempts?: number;
}

export class FollowStopped extends Error {
  constructor(readonly lastState: BeadState | undefined) {
    super('stopped following');
    this.name = 'FollowStopped';
  }
}

const PARKED = new Set<string>(['waiting_approval', 'escalated']);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the final state once the run has closed. */
export async function followBead(handle: FollowedRun, opts: FollowOptions = {}): Promise<BeadState> {
  let seen = 0;
  let closed = false;
  let parkedAt = '';
  let last: BeadState | undefined;
  let failuresAfterClose = 0;
  // Stopping also cancels the result long-poll, which would otherwise keep the process alive for up to 20 s.
  const signal = opts.signal;
  const waitForResult = () => (signal && handle.client ? handle.client.withAbortSignal(signal, () => handle.result()) : handle.result());
  const result = waitForResult().then(
    () => (closed = true),
    () => (closed = true),
  );
  const stopped = new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true }));
  for (;;) {
    if (opts.signal?.aborted) throw new FollowStopped(last);
    // Read before the query: a state read after the close is final.
    const wasClosed = closed;
    const state = await Promise.race([handle.query(stateQuery).catch((err: unknown) => err as Error), stopped.then(() => undefined)]);
    if (state === undefined) throw new FollowStopped(last);
    if (state instanceof Error) {
      if (wasClosed && ++failuresAfterClose >= (opts.closedQueryAttempts ?? 10)) {
        if (last) return last;
        throw new BeadflowError(`bead ${handle.workflowId} has ended, but its state could not be read: ${messageOf(state)}`, {
          hint: `see \`npx beadflow status ${handle.workflowId}\` or \`temporal workflow show --workflow-id ${handle.workflowId}\``,
        });
      }
    } else {
      last = state;
      for (const entry of state.history) {
        if (entry.seq > seen) {
          seen = entry.seq;
          opts.onEntry?.(entry, state);
        }
      }
      // The history length is part of the key: parking again at the same node (after a rejection loop) is news too.
      const parking = PARKED.has(state.status) ? `${state.status}@${state.currentNode}#${seen}` : '';
      if (parking && parking !== parkedAt) opts.onPark?.(state);
      parkedAt = parking;
      if (wasClosed) return state;
    }
    const pause = new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
    // Before the close, its news ends the pause early; after it, a failed query waits a full pause before the next try.
    await Promise.race(wasClosed ? [stopped, pause] : [result, stopped, pause]);
  }
}
