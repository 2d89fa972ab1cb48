/** Issue 2: Loom's real bug.yaml runs end to end on a real Temporal dev server. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadDefinitionFile } from '../../src/dsl';
import type { ResolvedDefinition } from '../../src/dsl/types';
import { BeadHarness, moves, state } from '../helpers/beads';
import { changeVersionUpserts, patchMarkers, saveHistory } from '../helpers/histories';
import { PATCH_BASELINE } from '../../src/workflows/patches';
import { startTestEnv, waitFor } from '../helpers/temporal';

const LOOM_BUG = path.resolve(__dirname, '../../../shared/peers/loom/bug.yaml');

describe("walking skeleton: Loom's bug workflow", () => {
  let env: TestWorkflowEnvironment;
  let loomBug: ResolvedDefinition;

  before(async () => {
    env = await startTestEnv();
    const loaded = loadDefinitionFile(LOOM_BUG);
    assert.ok(loaded.definition, `Loom's bug.yaml loads unmodified: ${JSON.stringify(loaded.findings)}`);
    loomBug = loaded.definition;
  });
  after(async () => env?.teardown());

  test('a bead completes through investigate → pm_review → apply_fix → commit_and_push', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(loomBug);
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      const s = await state(handle);
      assert.deepEqual(moves(s), [
        '^>investigate:success',
        'investigate>pm_review:success',
        'pm_review>apply_fix:approved',
        'apply_fix>commit_and_push:success',
        'commit_and_push>$:success',
      ]);
      assert.equal(s.status, 'completed');
      assert.equal(s.definitionId, 'wf-bug-default');
      const described = await waitFor(
        async () => {
          const d = await handle.describe();
          return d.searchAttributes.BeadStatus?.[0] === 'completed' ? d : undefined;
        },
        { what: 'BeadStatus search attribute = completed' },
      );
      assert.deepEqual(described.searchAttributes.BeadId, [handle.workflowId]);
      assert.deepEqual(described.searchAttributes.CurrentNode, ['commit_and_push']);
      await saveHistory(env, handle.workflowId, 'skeleton-loom-bug-completes');
    });
  });

  test('a new bead records one patch marker, the baseline, and one TemporalChangeVersion upsert', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(loomBug);
      assert.equal((await handle.result()).status, 'completed');
      const events = (await handle.fetchHistory()).events ?? [];
      // Without the baseline this bead recorded decision-intake, max-hops-transitions, the two ledger
      // patches, turn-deadline-on-activity and commit-lock: a marker and an upsert each.
      assert.deepEqual(patchMarkers(events), [PATCH_BASELINE]);
      assert.equal(changeVersionUpserts(events), 1);
      await saveHistory(env, handle.workflowId, 'skeleton-loom-bug-patch-baseline');
    });
  });

  test('pm_review: [rejected, approved] loops back to investigate once, with the rejection as feedback', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    await workers.runUntil(async () => {
      const handle = await h.start(loomBug, { scenario: { pm_review: ['rejected', 'approved'] } });
      assert.equal((await handle.result()).status, 'completed');
      const s = await state(handle);
      assert.deepEqual(moves(s), [
        '^>investigate:success',
        'investigate>pm_review:success',
        'pm_review>investigate:rejected',
        'investigate>pm_review:success',
        'pm_review>apply_fix:approved',
        'apply_fix>commit_and_push:success',
        'commit_and_push>$:success',
      ]);
      assert.equal(s.cycleCount, 1);
      const decisions = s.history.filter((e) => e.kind === 'decision').map((e) => e.outcome);
      assert.deepEqual(decisions, ['rejected', 'approved']);
      const secondInvestigation = s.history.filter((e) => e.kind === 'turn' && e.node === 'investigate')[1];
      assert.match(secondInvestigation.summary, /feedback seen: pm_review rejected by scripted/);
      assert.deepEqual(h.turnsOf(handle.workflowId), [
        'investigate:success',
        'pm_review:rejected',
        'investigate:success',
        'pm_review:approved',
        'apply_fix:success',
      ]);
      const commit = s.history.find((e) => e.kind === 'turn' && e.node === 'commit_and_push');
      assert.match(commit?.summary ?? '', /no repository: nothing committed/, 'a bead without --repo passes its commit node');
      await saveHistory(env, handle.workflowId, 'skeleton-loom-bug-reject-then-approve');
    });
  });
});
