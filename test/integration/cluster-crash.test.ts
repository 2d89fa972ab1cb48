/**
 * The Temporal cluster and its PostgreSQL crashing together while a bead waits for a person: both
 * restarted, the decision lands and the bead completes. A cluster of its own (not shared with
 * cluster.test.ts), so the crash starts from a server nothing else has restarted.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BeadHarness, settledEventCount, state } from '../helpers/beads';
import { clusterSkipReason, startTestCluster, type TestCluster } from '../helpers/cluster';
import { waitFor } from '../helpers/temporal';
import { bugLike } from '../fixtures/definitions';

const skip = clusterSkipReason();

describe('temporal cluster: server and database crash', { timeout: 600_000, skip }, () => {
  let cluster: TestCluster;
  let env: TestWorkflowEnvironment;
  before(async () => {
    cluster = await startTestCluster({ shards: 2, durableCommits: true });
    env = cluster.env;
  });
  after(async () => cluster?.teardown());

  test('the server and its PostgreSQL both crash while a bead waits for a decision: both restarted, the decision lands', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    const running = workers.run();
    try {
      const def = bugLike({ pm: { approval: { approvers: ['Product Manager'], mode: 'human' } } });
      const handle = await h.start(def);
      await waitFor(async () => (await state(handle)).status === 'waiting_approval', { timeoutMs: 30_000, what: 'the bead parked' });
      // Crash a bead that is only waiting: its ledger write at the wait has landed, so what the
      // crash can lose is the server's and the database's state, not an activity in flight.
      await settledEventCount(handle, 30_000);
      await cluster.crash();
      await cluster.pg.stop('immediate');
      await cluster.pg.start();
      await cluster.restart();
      await waitFor(
        async () => {
          await handle.signal('approve', { by: 'Product Manager', reason: 'after the crash', requestId: `r-${handle.workflowId}` });
          return true;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the approve signal accepted after the restart' },
      );
      const result = await waitFor(() => handle.result(), { timeoutMs: 120_000, intervalMs: 500, what: 'the bead to finish' });
      assert.equal(result.status, 'completed');
      assert.equal(h.turnsOf(handle.workflowId).filter((t) => t.startsWith('investigate')).length, 1, 'investigate ran once');
    } finally {
      workers.shutdown();
      await running;
    }
  });
});
