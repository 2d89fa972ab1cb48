/**
 * The self-healing loop as a demo (`npm run demo -- --self-healing` calls `runSelfHealingDemo`):
 * a sample package with a bug in a fresh git repository, a worker running the example's command
 * agent (or, with `--agent llm`, a tool-using model agent) for every role and the real commit
 * activities, and one bead through examples/self-healing/definition.yaml. The PM approval is given
 * by the demo (the `approve` signal, as `npx beadflow approve` would); the first fix fails the
 * repository's tests, the verify node sends the output back, the second fix passes, and only the
 * verified fix is committed. A model agent uses OPENAI_BASE_URL / OPENAI_API_KEY /
 * ANTHROPIC_API_KEY when set, else the local server in model-server.ts plays the model.
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
import { createProvider } from '../../src/workers/providers';
import type { AgentProvider } from '../../src/activities/agents/provider';
import { BUGGY_FILE, createSampleRepository, fixAgent, remoteFile, remoteLog, selfHealingDefinition } from './setup';
import { DEMO_MODEL, DemoModelServer } from './model-server';

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
  /** `command` (the example's script, default) or `llm` (a tool-using model agent). */
  agent?: 'command' | 'llm';
  /** Where a model agent finds its endpoint and key (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The model agent: a configured endpoint if there is one, else the local stand-in. */
async function modelAgent(
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<{ provider: AgentProvider; close(): Promise<void> }> {
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY || env.ANTHROPIC_API_KEY) {
    const configured =
      env.BEADFLOW_MODEL ??
      (env.ANTHROPIC_API_KEY && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL ? 'anthropic:claude-sonnet-4-5' : undefined);
    say(`self-healing: model agent on the configured endpoint${configured ? ` (${configured})` : ''}`);
    return { provider: createProvider({ agent: 'llm', model: configured, env }), close: async () => undefined };
  }
  const server = await DemoModelServer.start();
  say(
    `self-healing: no model endpoint configured: a local server at ${server.baseUrl} plays the model (set OPENAI_BASE_URL or ANTHROPIC_API_KEY for a real one)`,
  );
  const provider = createProvider({
    agent: 'llm',
    model: `openai-compatible:${DEMO_MODEL}`,
    env: { ...env, OPENAI_BASE_URL: server.baseUrl },
  });
  return { provider, close: () => server.close() };
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
  const model = opts.agent === 'llm' ? await modelAgent(opts.env ?? process.env, say) : undefined;
  const workers = await WorkerSet.create({
    connection: opts.connection,
    namespace,
    workflowTaskQueue: taskQueue,
    roles: [...KNOWN_ROLES],
    roleQueuePrefix,
    provider: model?.provider ?? fixAgent(),
    worktreesRoot: repo.worktrees,
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
    await model?.close();
    if (opts.keep === false) repo.cleanup();
  }
}
