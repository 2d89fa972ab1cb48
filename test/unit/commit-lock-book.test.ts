/** The commit lock's pure rules: queue order, capacity, tokens, leases, withdrawals, continue-as-new. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LockBookState, LockRequest } from '../../src/shared/commit-lock';
import { formatLease, priorityRank } from '../../src/shared/commit-lock';
import { LockBook } from '../../src/workflows/commit-lock-book';

const REPO = '/srv/repo.git';
const req = (beadId: string, priority?: string, over: Partial<LockRequest> = {}): LockRequest => ({
  requestId: `r-${beadId}`,
  beadId,
  workflowId: beadId,
  node: 'commit',
  priority,
  ...over,
});

/** Grants until the queue is empty, releasing each holder: the order the lock serves beads in. */
function drain(book: LockBook, now = 1_000): Array<{ bead: string; token: number }> {
  const order: Array<{ bead: string; token: number }> = [];
  for (let g = book.grantNext(now); g; g = book.grantNext(now)) {
    order.push({ bead: g.holder.beadId, token: g.holder.token });
    book.release({ requestId: g.holder.requestId, token: g.holder.token }, now);
  }
  return order;
}

describe('commit lock queue', () => {
  test('serves P0 before P4, and arrival order within a priority; no priority counts as P2', () => {
    const book = new LockBook();
    for (const [bead, p] of [
      ['a', 'P2'],
      ['b', 'P4'],
      ['c', 'P0'],
      ['d', 'P2'],
      ['e', undefined],
      ['f', 'P1'],
    ] as const) {
      assert.equal(book.request(req(bead, p), 1, 100, REPO).kind, 'queued');
    }
    assert.deepEqual(
      drain(book).map((o) => o.bead),
      ['c', 'f', 'a', 'd', 'e', 'b'],
    );
  });

  test('reports the queue position a request got', () => {
    const book = new LockBook();
    book.request(req('a', 'P3'), 1, 100, REPO);
    assert.deepEqual(book.request(req('b', 'P1'), 1, 100, REPO), { kind: 'queued', position: 1 });
    assert.deepEqual(book.request(req('c', 'P3'), 1, 100, REPO), { kind: 'queued', position: 3 });
  });

  test('fencing tokens grow by one per grant and never repeat', () => {
    const book = new LockBook();
    for (const b of ['a', 'b', 'c']) book.request(req(b), 1, 100, REPO);
    assert.deepEqual(
      drain(book).map((o) => o.token),
      [1, 2, 3],
    );
    book.request(req('d'), 1, 100, REPO);
    assert.deepEqual(
      drain(book).map((o) => o.token),
      [4],
    );
  });

  test('a request beyond capacity is refused with the reason; the holder does not count', () => {
    const book = new LockBook();
    book.request(req('h'), 1, 2, REPO);
    book.grantNext(1);
    assert.equal(book.request(req('w1'), 1, 2, REPO).kind, 'queued');
    assert.equal(book.request(req('w2'), 1, 2, REPO).kind, 'queued');
    const refused = book.request(req('w3'), 1, 2, REPO);
    assert.equal(refused.kind, 'refused');
    assert.match(
      refused.kind === 'refused' ? refused.reason : '',
      /commit queue of \/srv\/repo\.git is full: 2 commits already waiting \(capacity 2\); bead w3 was not queued/,
    );
    assert.equal(book.state.stats.refused, 1);
    assert.deepEqual(
      book.state.waiters.map((w) => w.beadId),
      ['w1', 'w2'],
    );
  });

  test('the same request delivered twice (an activity retry) is queued once', () => {
    const book = new LockBook();
    book.request(req('a'), 1, 100, REPO);
    assert.equal(book.request(req('a'), 2, 100, REPO).kind, 'duplicate');
    book.grantNext(3);
    assert.equal(book.request(req('a'), 4, 100, REPO).kind, 'duplicate', 'the holder asking again is not queued behind itself');
    assert.equal(book.state.waiters.length, 0);
  });
});

describe('commit lock release', () => {
  test('a waiter that gives up is withdrawn, and its late request is ignored', () => {
    const book = new LockBook();
    book.request(req('a'), 1, 100, REPO);
    book.request(req('b'), 1, 100, REPO);
    assert.equal(book.release({ requestId: 'r-b' }, 2).kind, 'withdrawn');
    assert.equal(book.release({ requestId: 'r-late' }, 2).kind, 'unknown');
    assert.equal(book.request(req('late', undefined, { requestId: 'r-late' }), 3, 100, REPO).kind, 'duplicate');
    assert.deepEqual(
      drain(book).map((o) => o.bead),
      ['a'],
    );
  });

  test('a release with a token that is not the holder’s changes nothing', () => {
    const book = new LockBook();
    book.request(req('a'), 1, 100, REPO);
    const { holder } = book.grantNext(1)!;
    assert.equal(book.release({ requestId: holder.requestId, token: holder.token + 7 }, 2).kind, 'stale');
    assert.equal(book.holder?.beadId, 'a');
    const ok = book.release({ requestId: holder.requestId, token: holder.token }, 52);
    assert.equal(ok.kind, 'released');
    assert.equal(ok.kind === 'released' ? ok.heldMs : -1, 51);
    assert.deepEqual(
      book.state.holds.map((h) => [h.beadId, h.how, h.releasedAt]),
      [['a', 'released', 52]],
    );
  });

  test('a lease expires only after its time; the warning is recorded and told to the next holder once', () => {
    const book = new LockBook();
    book.request(req('slow', 'P2', { leaseMs: 300_000 }), 0, 100, REPO);
    book.request(req('next'), 0, 100, REPO);
    book.request(req('later'), 0, 100, REPO);
    book.grantNext(1_000);
    assert.equal(book.expire(300_999), undefined);
    assert.equal(book.renew('r-slow', 1, 200_000), true, 'renewal with the current token');
    assert.equal(book.expire(301_000), undefined, 'renewed at 200 000: good until 500 000');
    assert.equal(book.expire(500_000), 'Previous commit by slow timed out after 5m');
    assert.equal(book.holder, undefined);
    assert.deepEqual(book.state.warnings, [{ at: 500_000, message: 'Previous commit by slow timed out after 5m' }]);
    assert.equal(book.grantNext(500_001)?.note, 'Previous commit by slow timed out after 5m');
    book.release({ requestId: 'r-next' }, 500_002);
    assert.equal(book.grantNext(500_003)?.note, undefined);
    assert.equal(book.renew('r-slow', 1, 500_004), false, 'the expired holder cannot renew any more');
  });

  test('a holder whose workflow is gone loses the lock at once', () => {
    const book = new LockBook();
    book.request(req('gone'), 0, 100, REPO);
    book.request(req('next'), 0, 100, REPO);
    book.grantNext(10);
    assert.equal(book.holderGone('r-other', 'terminated', 20), undefined, 'only the current holder');
    assert.equal(
      book.holderGone('r-gone', 'its workflow is terminated', 20),
      'Previous commit by gone ended without releasing the lock (its workflow is terminated)',
    );
    assert.equal(book.grantNext(21)?.holder.beadId, 'next');
    assert.equal(book.state.holds[0].how, 'holder-gone');
  });
});

describe('commit lock across continue-as-new', () => {
  test('the queue, the holder and the token counter survive a JSON round trip', () => {
    const book = new LockBook();
    book.request(req('h'), 1, 100, REPO);
    book.grantNext(2);
    for (const [b, p] of [
      ['x', 'P3'],
      ['y', 'P0'],
      ['z', 'P3'],
    ] as const)
      book.request(req(b, p), 2, 100, REPO);
    const carried = JSON.parse(JSON.stringify(book.state)) as LockBookState;
    const next = new LockBook(carried);
    assert.equal(next.holder?.beadId, 'h');
    assert.equal(next.request(req('x'), 3, 100, REPO).kind, 'duplicate');
    next.release({ requestId: 'r-h', token: 1 }, 3);
    assert.deepEqual(drain(next), [
      { bead: 'y', token: 2 },
      { bead: 'x', token: 3 },
      { bead: 'z', token: 4 },
    ]);
  });

  test('snapshot lists holder, lease and waiters in order', () => {
    const book = new LockBook();
    book.request(req('h', 'P2', { leaseMs: 60_000 }), 5, 100, REPO);
    book.grantNext(10);
    book.request(req('w1', 'P3'), 11, 100, REPO);
    book.request(req('w0', 'P0'), 12, 100, REPO);
    const s = book.snapshot({ lockId: 'commit-lock-x', repo: REPO, capacity: 100, generation: 2 });
    assert.deepEqual(s.holder, {
      beadId: 'h',
      workflowId: 'h',
      node: 'commit',
      requestId: 'r-h',
      priority: 'P2',
      token: 1,
      heldSince: 10,
      leaseMs: 60_000,
      leaseExpiresAt: 60_010,
    });
    assert.deepEqual(
      s.waiters.map((w) => [w.position, w.beadId]),
      [
        [1, 'w0'],
        [2, 'w1'],
      ],
    );
    assert.equal(s.token, 1);
    assert.equal(s.generation, 2);
  });
});

test('priorityRank and formatLease', () => {
  assert.deepEqual(['P0', 'p4', 'P9', undefined, ''].map(priorityRank), [0, 4, 2, 2, 2]);
  assert.deepEqual([300_000, 1_500, 90_000, 250].map(formatLease), ['5m', '1.5s', '1m30s', '250ms']);
});
