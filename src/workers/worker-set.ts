/**
 * The workers one process runs: the workflow queue (`beadflow`) and one activity worker per role
 * queue (`beadflow-role-<slug>`). Temporal polls one queue per Worker, so a role is a Worker;
 * they share one connection.
 */
import type { NativeConnection } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { AgentProvider } from '../activities/agents/provider';
import type { TurnObserver } from '../activities/agent-turn';
import { createAgentActivities } from '../activities/agent-turn';
import { noLedgerActivities } from '../activities/ledger';
import { isLoopPlanner } from '../activities/agents/llm';
import type { LlmAgent } from '../activities/agents/llm';
import { RoleRoutedProvider } from '../activities/agents/routed';
import { worktreesRoot } from '../activities/git/repo';
import { createHostActivities, hostId, hostQueue } from '../activities/llm/host';
import { ROLE_QUEUE_PREFIX, WORKFLOW_TASK_QUEUE, roleSlug, roleTaskQueue } from '../shared/roles';
import { workflowBundle } from './bundle';
import type { WorkerObservability } from '../observability/runtime';
import { observedWorkerOptions } from '../observability/runtime';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace?: string;
  /** Serve the workflow queue (default true). */
  workflows?: boolean;
  workflowTaskQueue?: string;
  /** Workflow code to bundle (default src/workflows); the benchmark adds its hand-written workflows. */
  workflowsPath?: string;
  /** Roles whose agent turns this process runs. */
  roles: string[];
  roleQueuePrefix?: string;
  provider: AgentProvider;
  observe?: TurnObserver;
  /** Where agent turns make this host's clones and worktrees (default BEADFLOW_WORKTREES, else ~/.cache/beadflow/worktrees). */
  worktreesRoot?: string;
  /** This host's id: its queue serves the model agents' calls (default BEADFLOW_HOST_ID, else hostname + worktrees folder). */
  hostId?: string;
  /** Extra activities for the workflow queue (git, lock, ledger). */
  workflowQueueActivities?: object;
  maxConcurrentActivityTaskExecutions?: number;
  maxCachedWorkflows?: number;
  /** On shutdown (SIGINT/SIGTERM), how long running turns may finish before they are cancelled and handed back. */
  shutdownGraceTimeMs?: number;
  /** Log context and tracing (src/observability/runtime.ts); none: the SDK's defaults. */
  observability?: WorkerObservability;
}

/**
 * Cancellation reaches an activity only with a heartbeat's answer; the SDK's default throttle
 * (80% of the heartbeat timeout) would let a cancelled agent or commit run on for ~24 s.
 */
const HEARTBEAT_THROTTLE = '2s';

export class WorkerSet {
  private constructor(
    readonly workers: Worker[],
    readonly queues: string[],
  ) {}

  static async create(opts: WorkerSetOptions): Promise<WorkerSet> {
    const namespace = opts.namespace ?? 'default';
    const workers: Worker[] = [];
    const queues: string[] = [];
    if (opts.workflows !== false) {
      const taskQueue = opts.workflowTaskQueue ?? WORKFLOW_TASK_QUEUE;
      workers.push(
        await Worker.create({
          connection: opts.connection,
          namespace,
          taskQueue,
          // Prebuilt and loaded from disk (bundle.ts). reuseV8Context is left to the SDK: 1.24 defaults it to true.
          workflowBundle: await workflowBundle(opts.workflowsPath, { tracing: opts.observability?.tracing }),
          // Beads always write to the ledger; without one configured the write is a no-op.
          activities: { ...noLedgerActivities, ...opts.workflowQueueActivities },
          maxCachedWorkflows: opts.maxCachedWorkflows,
          ...grace(opts),
          ...observedWorkerOptions(opts.observability),
        }),
      );
      queues.push(taskQueue);
    }
    // Model agents' turns run their calls on the queue of the host that holds the worktree.
    const root = opts.worktreesRoot ?? worktreesRoot();
    const llm = loopPlanners(opts.provider)[0];
    let ownQueue: string | undefined;
    if (llm) {
      ownQueue = hostQueue(opts.hostId ?? hostId(root));
      workers.push(
        await Worker.create({
          connection: opts.connection,
          namespace,
          taskQueue: ownQueue,
          activities: createHostActivities({ models: llm.models, extraTools: llm.extraTools, worktreesRoot: root }),
          maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
          maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
          ...grace(opts),
          ...observedWorkerOptions(opts.observability),
        }),
      );
      queues.push(ownQueue);
    }
    const activities = createAgentActivities(opts.provider, opts.observe, { worktreesRoot: root, hostQueue: ownQueue });
    const slugs = [...new Set(opts.roles.map(roleSlug))];
    for (const slug of slugs) {
      const taskQueue = roleTaskQueue(slug, opts.roleQueuePrefix ?? ROLE_QUEUE_PREFIX);
      workers.push(
        await Worker.create({
          connection: opts.connection,
          namespace,
          taskQueue,
          activities,
          maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
          maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
          ...grace(opts),
          ...observedWorkerOptions(opts.observability),
        }),
      );
      queues.push(taskQueue);
    }
    return new WorkerSet(workers, queues);
  }

  /** Runs every worker until all have shut down (SIGINT/SIGTERM or shutdown()). */
  async run(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.run()));
  }

  /** Runs the workers while `fn` runs, then shuts them down gracefully. */
  async runUntil<T>(fn: () => Promise<T>): Promise<T> {
    const running = this.run();
    try {
      return await fn();
    } finally {
      this.shutdown();
      await running;
    }
  }

  shutdown(): void {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
  }
}

function loopPlanners(provider: AgentProvider): LlmAgent[] {
  const all = provider instanceof RoleRoutedProvider ? [provider.fallback, ...provider.byRole.values()] : [provider];
  return all.filter(isLoopPlanner);
}

/** The SDK refuses an explicit undefined duration: pass the option only when it is set. */
function grace(opts: WorkerSetOptions): { shutdownGraceTime?: number } {
  return opts.shutdownGraceTimeMs === undefined ? {} : { shutdownGraceTime: opts.shutdownGraceTimeMs };
}
