/**
 * Role routing on a real server: workers serve a subset of roles; a bead whose next role has no
 * worker waits visibly (state query and RequiredRole search attribute) and goes on as soon as a
 * worker for that role starts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { REQUIRED_ROLE } from '../../src/shared/search-attributes';
import type { BeadHandle } from '../../src/client/start';
import { definition, node } from '../fixtures/definitions';
import { BeadHarness, moves, state, waitForState } from '../helpers/beads';
import { startTestEnv, waitFor } from '../helpers/temporal';

/** RequiredRole as the Web UI sees it (describe reads the upserted search attributes). */
async function requiredRoleAttribute(handle: BeadHandle): Promise<string | undefined> {
  return (await handle.describe()).typedSearchAttributes.get(REQUIRED_ROLE);
}

describe('agents: role routing', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  test('a bead waits at the node of a role nobody serves, visibly, and proceeds when a worker for it starts', async () => {
    const def = definition(
      [node('investigate', 'task', { role: 'QA Engineer' }), node('apply_fix', 'task', { role: 'Software Engineer' })],
      [
        ['', 'investigate', 'success'],
        ['investigate', 'apply_fix', 'success'],
        ['apply_fix', '', 'success'],
      ],
    );
    const h = new BeadHarness(env);
    const qaOnly = await h.workers({ roles: ['QA'] });
    await qaOnly.runUntil(async () => {
      const handle = await h.start(def);
      const waiting = await waitForState(handle, (s) => s.currentNode === 'apply_fix', 'the bead to reach apply_fix');
      assert.equal(waiting.requiredRole, 'Software Engineer');
      assert.equal(waiting.status, 'running');
      assert.equal(
        await waitFor(async () => ((await requiredRoleAttribute(handle)) === 'software-engineer' ? 'software-engineer' : undefined), {
          what: 'RequiredRole = software-engineer',
        }),
        'software-engineer',
      );
      assert.equal((await handle.describe()).typedSearchAttributes.get(REQUIRED_ROLE), 'software-engineer');
      // The QA worker ran investigate and took nothing else: apply_fix is queued for a role it does not serve.
      assert.deepEqual(h.turnsOf(handle.workflowId, 'start'), ['investigate:start']);

      // An engineer worker (turns only, alias spelling) joins; the bead finishes on it.
      const engineer = await h.workers({ roles: ['engineer'], workflows: false });
      await engineer.runUntil(async () => {
        const result = await handle.result();
        assert.equal(result.status, 'completed');
      });
      const s = await state(handle);
      assert.deepEqual(moves(s), ['^>investigate:success', 'investigate>apply_fix:success', 'apply_fix>$:success']);
      assert.deepEqual(h.turnsOf(handle.workflowId), ['investigate:success', 'apply_fix:success']);
      assert.equal(
        await waitFor(async () => ((await requiredRoleAttribute(handle)) === '-' ? '-' : undefined), { what: 'RequiredRole cleared' }),
        '-',
      );
    });
  });

  test("an approval whose reviewer role has no worker waits for a person's signal", async () => {
    const def = definition(
      [
        node('investigate', 'task'),
        node('pm_review', 'approval', { role: 'Product Manager', approval: { approvers: ['Product Manager'], mode: 'any' } }),
      ],
      [
        ['', 'investigate', 'success'],
        ['investigate', 'pm_review', 'success'],
        ['pm_review', '', 'approved'],
      ],
    );
    const h = new BeadHarness(env);
    const qaOnly = await h.workers({ roles: ['QA Engineer'] });
    await qaOnly.runUntil(async () => {
      const handle = await h.start(def);
      const waiting = await waitForState(handle, (s) => s.status === 'waiting_approval', 'the bead to wait for approval');
      assert.deepEqual([waiting.currentNode, waiting.requiredRole], ['pm_review', 'Product Manager']);
      await waitFor(async () => (await requiredRoleAttribute(handle)) === 'product-manager', { what: 'RequiredRole = product-manager' });
      await handle.signal('approve', { by: 'Product Manager', reason: 'looks right' });
      assert.equal((await handle.result()).status, 'completed');
      assert.deepEqual(h.turnsOf(handle.workflowId, 'start'), ['investigate:start']);
    });
  });
});
