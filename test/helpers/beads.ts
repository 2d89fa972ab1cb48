/**
 * Integration-test harness for beads: workers on unique queues, a turn log (what ran, when, and
 * whether it saw a cancellation), and starting beads with a resolved definition.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AgentProvider } from '../../src/activities/agents/provider';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import type { TurnObserver } from '../../src/activities/agent-turn';
import { startBeadRun, type BeadHandle } from '../../src/client/start';
import type { ResolvedDefinition } from '../../src/dsl/types';
import type { Bead, RunOptions, Scenario } from '../../src/shared/bead';
import { KNOWN_ROLES } from '../../src/shared/roles';
import type { BeadState } from '../../src/workflows/messages';
import { WorkerSet } from '../../src/workers/worker-set';
import type { WorkerObservability } from '../../src/observability/runtime';
import { uniqueId, waitFor } from './temporal';

export interface TurnEvent {
  phase: 'start' | 'end' | 'cancelled';
  beadId: string;
  node: string;
  outcome?: string;
  at: number;
}

export class BeadHarness {
  readonly taskQueue = uniqueId('wf');
  readonly roleQueuePrefix = `${uniqueId('role')}-`;
  readonly turns: TurnEvent[] = [];
  readonly observe: TurnObserver = (e) =>
    this.turns.push({ phase: e.phase, beadId: e.input.beadId, node: e.input.node.key, outcome: e.result?.outcome, at: Date.now() });

  constructor(readonly env: TestWorkflowEnvironment) {}

  get client() {
    return this.env.client;
  }

  workers(
    opts: {
      roles?: string[];
      provider?: AgentProvider;
      workflows?: boolean;
      observability?: WorkerObservability;
      /** Activities on the workflow queue, e.g. the ledger's (`createLedgerActivities`). */
      workflowQueueActivities?: object;
    } = {},
  ): Promise<WorkerSet> {
    return WorkerSet.create({
      connection: this.env.nativeConnection,
      workflowTaskQueue: this.taskQueue,
      workflows: opts.workflows,
      roles: opts.roles ?? [...KNOWN_ROLES],
      roleQueuePrefix: this.roleQueuePrefix,
      provider: opts.provider ?? new ScriptedAgent(),
      observe: this.observe,
      observability: opts.observability,
      workflowQueueActivities: opts.workflowQueueActivities,
    });
  }

  async start(
    definition: ResolvedDefinition,
    opts: { scenario?: Scenario; options?: RunOptions; bead?: Partial<Bead> } = {},
  ): Promise<BeadHandle> {
    const bead: Bead = {
      id: uniqueId('bead'),
      title: 'test bead',
      type: definition.workflowType,
      description: '',
      priority: 'P2',
      labels: [],
      scenario: opts.scenario,
      ...opts.bead,
    };
    return startBeadRun(
      this.client,
      { bead, definition, options: { roleQueuePrefix: this.roleQueuePrefix, ...opts.options } },
      this.taskQueue,
    );
  }

  turnsOf(beadId: string, phase: TurnEvent['phase'] = 'end'): string[] {
    return this.turns.filter((t) => t.beadId === beadId && t.phase === phase).map((t) => `${t.node}:${t.outcome ?? phase}`);
  }
}

/** Any bead's handle, e.g. a child bead's from `getHandle`. */
export function state(handle: WorkflowHandle): Promise<BeadState> {
  return handle.query<BeadState>('state');
}

/** Polls the `state` query until `ok` holds. */
export function waitForState(handle: WorkflowHandle, ok: (s: BeadState) => boolean, what: string, timeoutMs = 20_000): Promise<BeadState> {
  return waitFor(
    async () => {
      const s = await state(handle);
      return ok(s) ? s : undefined;
    },
    { timeoutMs, what },
  );
}

export function moves(s: BeadState): string[] {
  return s.history.filter((h) => h.kind === 'move').map((h) => `${h.node || '^'}>${h.to || '$'}:${h.condition}`);
}

/** Starts a bead and waits until it stops for a decision. */
/**
 * Waits until the workflow has nothing in flight (no activity, no workflow task; the last event
 * a completed workflow task) and returns its event count: a parked bead's batched ledger write at
 * the wait has landed.
 */
export function settledEventCount(handle: BeadHandle, timeoutMs = 20_000): Promise<number> {
  return waitFor(
    async () => {
      const { raw } = await handle.describe();
      if ((raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask) return undefined;
      const history = await handle.fetchHistory();
      const last = history.events?.at(-1);
      return last?.workflowTaskCompletedEventAttributes ? (history.events?.length ?? 0) : undefined;
    },
    { timeoutMs, what: `${handle.workflowId} to have nothing in flight` },
  );
}

export async function startParked(h: BeadHarness, definition: ResolvedDefinition): Promise<BeadHandle> {
  const handle = await h.start(definition);
  await waitForState(handle, (x) => x.status === 'waiting_approval', `bead ${handle.workflowId} waiting for a decision`);
  return handle;
}
