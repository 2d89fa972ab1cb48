/** followBead against a stand-in handle: it reports entries and parking, stops on request, and always returns once the run has closed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FollowStopped, followBead, type FollowedRun } from '../../src/client/follow';
import type { HistoryEntry } from '../../src/interpreter/types';
import { BeadflowError } from '../../src/shared/errors';
import type { BeadState } from '../../src/workflows/messages';

function state(over: Partial<BeadState> = {}): BeadState {
  return {
    beadId: 'b-1',
    definitionId: 'bug',
    title: 't',
    type: 'bug',
    status: 'running',
    currentNode: 'a',
    requiredRole: '',
    cycleCount: 0,
    attempts: 1,
    dispatchCount: 1,
    history: [],
    branches: [],
    ...over,
  };
}

const entry = (seq: number): HistoryEntry =>
  ({ seq, kind: 'move', node: '', to: 'a', condition: 'success', summary: '', endedAt: 0 }) as unknown as HistoryEntry;

/** A run whose query answers from `answers` in turn (an Error rejects), closing when `close()` is called. */
function standIn(answers: Array<BeadState | Error>, closedFromStart = false) {
  let close!: () => void;
  const done = new Promise<void>((resolve) => (close = resolve));
  if (closedFromStart) close();
  let i = 0;
  let queries = 0;
  const run = {
    workflowId: 'b-1',
    result: () => done,
    query: () => {
      queries += 1;
      const a = answers[Math.min(i++, answers.length - 1)];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  } as unknown as FollowedRun;
  return { run, close, queries: () => queries };
}

describe('followBead', () => {
  test('a run that closed and whose query keeps failing: gives up with an error after a few tries instead of looping forever', async () => {
    const s = standIn([new Error('unknown queryType state')], true);
    await assert.rejects(followBead(s.run, { intervalMs: 5, closedQueryAttempts: 3 }), (err: unknown) => {
      assert.ok(err instanceof BeadflowError);
      assert.match(err.message, /^bead b-1 has ended, but its state could not be read: unknown queryType state/);
      return true;
    });
    // The first query may go out before the close is noticed; after it, exactly the attempts allowed.
    assert.ok(s.queries() >= 3 && s.queries() <= 4, `queries: ${s.queries()}`);
  });

  test('a closed run whose query fails after it answered once returns the last state it saw', async () => {
    const s = standIn([state({ status: 'running', history: [entry(1)] }), new Error('no poller seen')]);
    const following = followBead(s.run, { intervalMs: 5, closedQueryAttempts: 2 });
    setTimeout(() => s.close(), 30);
    const final = await following;
    assert.equal(final.status, 'running');
    assert.deepEqual(
      final.history.map((h) => h.seq),
      [1],
    );
  });

  test('entries once each; parking reported once per park; stopping keeps the last state', async () => {
    const waiting = state({ status: 'waiting_approval', currentNode: 'review', history: [entry(1), entry(2)] });
    const s = standIn([state({ history: [entry(1)] }), waiting, waiting, waiting]);
    const seen: number[] = [];
    const parks: string[] = [];
    const stop = new AbortController();
    const following = followBead(s.run, {
      intervalMs: 5,
      signal: stop.signal,
      onEntry: (e) => seen.push(e.seq),
      onPark: (x) => {
        parks.push(`${x.status}@${x.currentNode}`);
        setTimeout(() => stop.abort(), 30);
      },
    });
    await assert.rejects(following, (err: unknown) => err instanceof FollowStopped && err.lastState?.currentNode === 'review');
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(parks, ['waiting_approval@review']);
  });
});
