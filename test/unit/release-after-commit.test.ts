/** The commit activity frees the lock itself when asked, and leaves it to the bead when it cannot. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { releaseAfterCommit } from '../../src/activities/git';
import type { CommitWorkInput, CommitWorkResult } from '../../src/activities/git/types';
import { LOCK_SIGNALS, type LockRelease } from '../../src/shared/commit-lock';

const input = (releaseLock?: boolean): CommitWorkInput => ({
  beadId: 'b1',
  title: 't',
  node: 'commit',
  workspace: { worktree: '/w', branch: 'b', targetBranch: 'main', upstream: '/r', lockId: 'lock-r' },
  requestId: 'req-1',
  token: 7,
  leaseMs: 60_000,
  ...(releaseLock === undefined ? {} : { releaseLock }),
});
const result = (outcome: 'success' | 'failure'): CommitWorkResult => ({
  outcome,
  summary: 's',
  agent: 'git',
  pushed: outcome === 'success',
});

function fakeClient(fail = false): { client: Client; sent: Array<{ lockId: string; name: string; arg: LockRelease }> } {
  const sent: Array<{ lockId: string; name: string; arg: LockRelease }> = [];
  const client = {
    workflow: {
      getHandle: (lockId: string) => ({
        signal: async (name: string, arg: LockRelease) => {
          if (fail) throw new Error('connection refused');
          sent.push({ lockId, name, arg });
        },
      }),
    },
  } as unknown as Client;
  return { client, sent };
}

test('asked to, it releases with its token and says so; a failed commit releases as failed', async () => {
  const { client, sent } = fakeClient();
  const ok = await releaseAfterCommit(client, input(true), result('success'), () => undefined);
  const bad = await releaseAfterCommit(client, input(true), result('failure'), () => undefined);
  assert.equal(ok.lockReleased, true);
  assert.equal(bad.lockReleased, true);
  assert.deepEqual(sent, [
    { lockId: 'lock-r', name: LOCK_SIGNALS.release, arg: { requestId: 'req-1', token: 7, reason: 'done' } },
    { lockId: 'lock-r', name: LOCK_SIGNALS.release, arg: { requestId: 'req-1', token: 7, reason: 'failed' } },
  ]);
});

test('not asked (a bead started before the change), it sends nothing', async () => {
  const { client, sent } = fakeClient();
  const r = await releaseAfterCommit(client, input(), result('success'), () => undefined);
  assert.equal(r.lockReleased, undefined);
  assert.deepEqual(sent, []);
});

test('when the signal fails, the result says the lock is still held so the bead releases it', async () => {
  const { client } = fakeClient(true);
  const logged: string[] = [];
  const r = await releaseAfterCommit(client, input(true), result('success'), (m) => logged.push(m));
  assert.equal(r.lockReleased, undefined);
  assert.equal(r.outcome, 'success');
  assert.match(logged.join('\n'), /the bead releases it/);
});
