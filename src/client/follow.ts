/** Follows a running bead: polls its `state` query and reports each new history entry and each park. */
import type { WorkflowHandle } from '@temporalio/client';
import type { HistoryEntry } from '../interpreter/types';
import { BeadflowError } from '../shared/errors';
import type { BeadState } from '../workflows/messages';
import { stateQuery } from '../workflows/messages';

export interface FollowOptions {
  onEntry?: (entry: HistoryEntry, state: BeadState) => void;
  /** Called once each time the bead stops to wait for a person (approval or escalation). */
  onPark?: (state: BeadState) => void;
  intervalMs?: number;
  /** Give up following (the bead keeps running) after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Queries that may fail in a row once the run has closed (no worker to answer) before following gives up. */
const CLOSED_QUERY_FAILURES = 10;

/** Resolves with the final state once the run has closed. */
export async function followBead(handle: WorkflowHandle, opts: FollowOptions = {}): Promise<BeadState> {
  let seen = 0;
  let closed = false;
  let failuresAfterClose = 0;
  let parkedAt = '';
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  const result = handle.result().then(
    () => (closed = true),
    () => (closed = true),
  );
  for (;;) {
    const state = await handle.query(stateQuery).catch(() => undefined);
    if (state) {
      for (const entry of state.history) {
        if (entry.seq > seen) {
          seen = entry.seq;
          opts.onEntry?.(entry, state);
        }
      }
      if (closed) return state;
      const park =
        state.status === 'waiting_approval' || state.status === 'escalated' ? `${state.status}@${state.currentNode}#${seen}` : '';
      if (park && park !== parkedAt) opts.onPark?.(state);
      parkedAt = park;
    } else if (closed && ++failuresAfterClose >= CLOSED_QUERY_FAILURES) {
      throw new BeadflowError(`the bead's run closed, but its final state cannot be read (no worker answers the query)`, {
        hint: 'start a worker (`npm run worker`) and run `npx beadflow status <bead>`',
      });
    }
    if (opts.signal?.aborted) throw new BeadflowError('stopped following', { kind: 'timeout' });
    if (deadline !== undefined && Date.now() > deadline) {
      throw new BeadflowError(`the bead is still ${state?.status ?? 'running'} at ${state?.currentNode || '-'} after --timeout`, {
        kind: 'timeout',
        hint: 'it keeps running: follow it with `npx beadflow status <bead>`',
      });
    }
    await Promise.race([result, new Promise((r) => setTimeout(r, opts.intervalMs ?? 200))]);
  }
}
