/**
 * The self-healing loop end to end, on the real server with real git: the sample package (a bug
 * and a failing test) in a repository with a bare remote; investigate → PM approval (signal) →
 * apply_fix (command agent, or a model agent through tools) → verify (`node --test` in the
 * worktree) → commit (lock + push). The first fix is naive: verify rejects with the test output,
 * the next apply_fix turn gets it as feedback and fixes it properly; only the verified fix lands.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCommitActivities } from '../../src/activities/git';
import { noLedgerActivities } from '../../src/activities/ledger';
import { startBeadRun } from '../../src/client/start';
import type { Bead } from '../../src/shared/bead';
import { KNOWN_ROLES } from '../../src/shared/roles';
import { WorkerSet } from '../../src/workers/worker-set';
import { runSelfHealingDemo } from '../../examples/self-healing/demo';
import {
  BUGGY_FILE,
  createSampleRepository,
  fixAgent,
  remoteFile,
  remoteLog,
  selfHealingDefinition,
} from '../../examples/self-healing/setup';
import { moves, state, waitForState } from '../helpers/beads';
import { startTestEnv, uniqueId } from '../helpers/temporal';

const BUG = 'return roundCents(price * (percent / 100));';
const FIX = 'return roundCents(price * (1 - percent / 100));';

const EXPECTED_MOVES = [
  '^>investigate:success',
  'investigate>pm_review:success',
  'pm_review>apply_fix:approved',
  'apply_fix>verify:success',
  'verify>apply_fix:rejected',
  'apply_fix>verify:success',
  'verify>commit:approved',
  'commit>$:success',
];

const NAIVE = 'return roundCents(price - percent);';

/** Every version of the buggy file the remote's main branch ever had. */
function remoteHistoryOf(remote: string): string {
  return execFileSync('git', ['log', '-p', 'main', '--', BUGGY_FILE], { cwd: remote, encoding: 'utf8' });
}

/** Runs the sample's tests on a fresh clone of the remote: the pushed code works, not just the worktree. */
function testsPassOnRemote(remote: string, dir: string): boolean {
  const checkout = path.join(dir, 'check');
  execFileSync('git', ['clone', '--quiet', remote, checkout]);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  try {
    execFileSync(process.execPath, ['--test'], { cwd: checkout, env, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('agents: the self-healing loop', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestEnv();
  });
  after(async () => env?.teardown());

  test("a bug is investigated, approved, fixed, committed, and verified by the repository's own tests", async () => {
    const repo = createSampleRepository();
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    try {
      assert.match(remoteFile(repo.remote), new RegExp(BUG.replace(/[()*/]/g, '\\$&')));
      assert.equal(testsPassOnRemote(repo.remote, path.join(repo.dir, 'before')), false, 'the sample starts broken');
      const workers = await WorkerSet.create({
        connection: env.nativeConnection,
        workflowTaskQueue: taskQueue,
        roles: [...KNOWN_ROLES],
        roleQueuePrefix,
        provider: fixAgent(),
        workflowQueueActivities: {
          ...noLedgerActivities,
          ...createCommitActivities({ client: env.client, worktreesRoot: repo.worktrees }),
        },
      });
      await workers.runUntil(async () => {
        const bead: Bead = {
          id: uniqueId('heal'),
          title: 'applyDiscount returns the discount, not the price',
          type: 'self-healing',
          description: 'node --test fails',
          priority: 'P1',
          labels: ['bug'],
          repo: repo.clone,
        };
        const handle = await startBeadRun(
          env.client,
          { bead, definition: selfHealingDefinition(), options: { roleQueuePrefix } },
          taskQueue,
        );

        const waiting = await waitForState(handle, (s) => s.status === 'waiting_approval', 'the bead to wait for the PM', 60_000);
        assert.deepEqual([waiting.currentNode, waiting.requiredRole], ['pm_review', 'Product Manager']);
        const investigation = waiting.history.find((e) => e.kind === 'turn' && e.node === 'investigate');
        assert.match(investigation?.summary ?? '', /Root cause: applyDiscount in src\/discount\.js/);
        assert.equal(remoteLog(repo.remote).length, 1, 'nothing is committed before the approval');

        await handle.signal('approve', { by: 'Product Manager', reason: 'go ahead' });
        const result = await handle.result();
        const s = await state(handle);
        assert.equal(result.status, 'completed', `bead ended ${result.status}: ${result.reason}\n${moves(s).join('\n')}`);
        assert.deepEqual(moves(s), EXPECTED_MOVES);

        const verdicts = s.history.filter((e) => e.kind === 'turn' && e.node === 'verify');
        assert.deepEqual(
          verdicts.map((v) => v.outcome),
          ['rejected', 'approved'],
        );
        assert.match(verdicts[0].summary, /`node --test --test-reporter=spec` exited 1; last output:/);
        assert.match(
          verdicts[0].summary,
          /25% off 19\.99 is 14\.99[^]*-5\.01 !== 14\.99/,
          'the rejection carries the failing test and why',
        );
        const fixes = s.history.filter((e) => e.kind === 'turn' && e.node === 'apply_fix').map((e) => e.summary);
        assert.match(fixes[1], /The tests showed the percentage was subtracted/, 'the second fix read the test output as feedback');
        assert.equal(verdicts[0].actor, 'verify:node --test --test-reporter=spec');
      });

      assert.ok(remoteFile(repo.remote, BUGGY_FILE).includes(FIX), 'the remote has the fix');
      assert.equal(remoteLog(repo.remote).length, 2, `initial + the verified fix: ${remoteLog(repo.remote).join(' | ')}`);
      assert.ok(!remoteHistoryOf(repo.remote).includes(NAIVE), 'the naive fix verify rejected never reached main');
      assert.equal(testsPassOnRemote(repo.remote, path.join(repo.dir, 'after')), true, "the remote's tests pass");
    } finally {
      repo.cleanup();
    }
  });

  test('runSelfHealingDemo (what `npm run demo -- --self-healing` runs) completes and reports the fix', async () => {
    const lines: string[] = [];
    const result = await runSelfHealingDemo({
      client: env.client,
      connection: env.nativeConnection,
      say: (l) => lines.push(l),
      taskQueue: uniqueId('wf'),
      roleQueuePrefix: `${uniqueId('role')}-`,
      keep: false,
    });
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.moves, EXPECTED_MOVES);
    assert.ok(result.fixedSource.includes(FIX));
    assert.deepEqual(
      result.verifications.map((v) => v.outcome),
      ['rejected', 'approved'],
    );
    assert.ok(lines.some((l) => /approving as the Product Manager/.test(l)));
    assert.ok(
      lines.some((l) => /commit --success--> \(end\)/.test(l)),
      lines.join('\n'),
    );
  });

  test('--agent llm: a model agent reads, edits with edit_file and runs the tests; verify decides; the fix lands', async () => {
    const lines: string[] = [];
    const result = await runSelfHealingDemo({
      client: env.client,
      connection: env.nativeConnection,
      say: (l) => lines.push(l),
      taskQueue: uniqueId('wf'),
      roleQueuePrefix: `${uniqueId('role')}-`,
      keep: false,
      agent: 'llm',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    assert.equal(result.status, 'completed', lines.join('\n'));
    assert.deepEqual(result.moves, EXPECTED_MOVES);
    assert.ok(result.fixedSource.includes(FIX));
    assert.deepEqual(
      result.verifications.map((v) => v.outcome),
      ['rejected', 'approved'],
    );
    assert.equal(result.commits.length, 2, 'initial + the verified fix');
    assert.ok(
      lines.some((l) => /a local server at http:\/\/127\.0\.0\.1:\d+\/v1 plays the model/.test(l)),
      lines.join('\n'),
    );
  });
});
