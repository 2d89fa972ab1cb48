/**
 * The self-healing loop as a demo (`npm run demo -- --self-healing` calls `runSelfHealingDemo`):
 * a sample package with a bug in a fresh git repository, a worker running the example's command
 * agent for every role and the real commit activities, and one bead through
 * examples/self-healing/definition.yaml. The PM approval is given by the demo (the `approve`
 * signal, as `npx beadflow approve` would); the first fix fails the repository's tests, the
 * verify node sends the output back, the second fix passes.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createCommitActivities } from '../../src/activities/git';
import { noLedgerActivities } from '../../src/activities/ledger';
import { followBead } from '../../src/client/follow';
import { newBeadId } from '../../src/shared/ids';
import { startBeadRun } from '../../src/client/start';
import { formatEntry } from '../../src/cli/format';
import type { Bead } from '../../src/shared/bead';
import { KNOWN_ROLES } from '../../src/shared/roles';
import { WorkerSet } from '../../src/workers/worker-set';
import { BUGGY_FILE, createSampleRepository, fixAgent, remoteFile, remoteLog, selfHealingDefinition } from './setup';

export const DEMO_TASK_QUEUE = 'beadflow-self-healing';
export const DEMO_ROLE_QUEUE_PREFIX = 'beadflow-self-healing-role-';

export interface SelfHealingDemoOptions {
  client: Client;
  /** For the demo's own workers. */
  connection: NativeConnection;
  namespace?: string;
  say?: (line: string) => void;
  /** Web UI base URL, for the link to the bead. */
  uiUrl?: string;
  /** Where the sample repository, its remote and worktrees go (default: a new temp dir). */
  workDir?: string;
  /** Keep workDir afterwards (default: keep, so the user can look at the commits). */
  keep?: boolean;
  /**
   * Queues of the demo's own workers. Default: dedicated ones (`beadflow-self-healing`,
   * `beadflow-self-healing-role-<slug>`), so another worker on the server (scripted agents, no
   * commit activities) cannot take this bead's turns.
   */
  taskQueue?: string;
  roleQueuePrefix?: string;
  beadId?: string;
  /** Extra activities for the workflow queue (e.g. the worker's ledger); default: no ledger. */
  workflowQueueActivities?: object;
}

export interface SelfHealingDemoResult {
  beadId: string;
  status: string;
  /** The bare repository the fix was pushed to, and the clone the bead was started with. */
  remote: string;
  clone: string;
  /** src/discount.js on the remote's main branch at the end. */
  fixedSource: string;
  commits: string[];
  /** "from>to:condition" for every move. */
  moves: string[];
  /** The verify node's verdicts, in order. */
  verifications: Array<{ outcome: string; summary: string }>;
}

export async function runSelfHealingDemo(opts: SelfHealingDemoOptions): Promise<SelfHealingDemoResult> {
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? DEMO_TASK_QUEUE;
  const roleQueuePrefix = opts.roleQueuePrefix ?? DEMO_ROLE_QUEUE_PREFIX;
  const repo = createSampleRepository(opts.workDir);
  say(`self-healing: sample repository ${repo.clone} (origin ${repo.remote}); its tests fail: applyDiscount(100, 10) returns 10`);
  const workers = await WorkerSet.create({
    connection: opts.connection,
    namespace,
    workflowTaskQueue: taskQueue,
    roles: [...KNOWN_ROLES],
    roleQueuePrefix,
    provider: fixAgent(),
    workflowQueueActivities: {
      ...noLedgerActivities,
      ...createCommitActivities({ client: opts.client, worktreesRoot: repo.worktrees }),
      ...opts.workflowQueueActivities,
    },
  });
  try {
    return await workers.runUntil(async () => {
      const bead: Bead = {
        id: opts.beadId ?? newBeadId(),
        title: 'Discounts charge the discount instead of the discounted price',
        type: 'self-healing',
        description: 'applyDiscount(100, 10) returns 10; customers should pay 90. `node --test` fails.',
        priority: 'P1',
        labels: ['bug'],
        repo: repo.clone,
      };
      const handle = await startBeadRun(
        opts.client,
        { bead, definition: selfHealingDefinition(), options: { roleQueuePrefix } },
        taskQueue,
      );
      say(
        `self-healing: bead ${bead.id} started${opts.uiUrl ? `; Web UI ${opts.uiUrl}/namespaces/${namespace}/workflows/${bead.id}` : ''}`,
      );
      let approved = false;
      const final = await followBead(handle, {
        onEntry: (entry) => {
          say(`  ${formatEntry(entry)}`);
          if (!approved && entry.kind === 'move' && entry.to === 'pm_review') {
            approved = true;
            say(`self-healing: approving as the Product Manager (same as: npx beadflow approve ${bead.id} --by "Product Manager")`);
            handle
              .signal('approve', {
                by: 'Product Manager',
                reason: 'the proposed fix is right; go ahead',
                requestId: `${bead.id}-demo-approval`,
              })
              .catch((err: unknown) => say(`self-healing: the approval signal failed: ${(err as Error).message}`));
          }
        },
      });
      const fixedSource = remoteFile(repo.remote, BUGGY_FILE);
      const result: SelfHealingDemoResult = {
        beadId: bead.id,
        status: final.status,
        remote: repo.remote,
        clone: repo.clone,
        fixedSource,
        commits: remoteLog(repo.remote),
        moves: final.history.filter((h) => h.kind === 'move').map((h) => `${h.node || '^'}>${h.to || '$'}:${h.condition}`),
        verifications: final.history
          .filter((h) => h.kind === 'turn' && h.node === 'verify')
          .map((h) => ({ outcome: h.outcome ?? '', summary: h.summary })),
      };
      say(
        `self-healing: bead ${bead.id} ${final.status}; ${result.verifications.length} test run(s), the last ${result.verifications.at(-1)?.outcome ?? 'none'}`,
      );
      say(`self-healing: ${repo.remote} main now has: ${result.commits.join(' | ')}`);
      return result;
    });
  } finally {
    if (opts.keep === false) repo.cleanup();
  }
}
