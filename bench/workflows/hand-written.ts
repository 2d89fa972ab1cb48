/**
 * Hand-written equivalents of the benchmark definitions: the floor the interpreter is measured
 * against. Same `agentTurn` activity, same inputs, same order, same role queues and activity
 * options as beadWorkflow's Effects — but the control flow is plain code: no interpreter, no
 * queries, and (unless `extras` asks for them, see extras.ts) no upserts, timers or ledger.
 * The benchmark checks that both send identical turn inputs (bench/equivalence.ts).
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AgentActivities } from '../../src/activities/types';
import type { ResolvedNode } from '../../src/dsl/types';
import type { HistoryEntry } from '../../src/interpreter/types';
import type { AgentTurnInput, AgentTurnResult } from '../../src/shared/agent';
import type { BeadInput } from '../../src/shared/bead';
import { roleTaskQueue } from '../../src/shared/roles';
import type { Extras } from './extras';
import { ExtraWork } from './extras';

const DEFAULT_TURN_TIMEOUT_MS = 2 * 60 * 60_000;

export interface HandWrittenInput extends BeadInput {
  extras?: Extras;
}

/** The story so far, numbered as the interpreter numbers it (moves count but are not shown to agents). */
class Trail {
  private seq = 0;
  private readonly lines: string[] = [];
  readonly dispatches: Record<string, number> = {};
  /** Rows since the last move, for the ledger. */
  rows: HistoryEntry[] = [];
  feedback: string | undefined;

  move(from: string, to: string, condition: 'success' | 'approved' | 'rejected'): void {
    this.rows.push({
      seq: ++this.seq,
      kind: 'move',
      node: from,
      condition,
      to,
      endedAt: Date.now(),
      summary: `${from || '(start)'} --${condition}--> ${to || '(end)'}`,
    });
  }

  turn(node: ResolvedNode, kind: 'turn' | 'decision', outcome: string, result: AgentTurnResult, startedAt: number): void {
    const summary = kind === 'decision' ? result.summary || outcome : result.summary;
    this.rows.push({
      seq: ++this.seq,
      kind,
      node: node.key,
      role: node.role,
      actor: result.agent,
      outcome,
      attempt: 1,
      dispatch: 1,
      startedAt,
      endedAt: Date.now(),
      summary,
    });
    this.lines.push(`#${this.seq} ${kind} ${node.key} ${outcome} by ${result.agent}: ${summary}`);
    if (kind === 'decision')
      this.feedback = outcome === 'approved' ? undefined : `${node.key} rejected by ${result.agent}: ${result.summary}`;
  }

  summary(): string[] {
    return this.lines.slice(-20);
  }

  take(): HistoryEntry[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }
}

function runner(input: HandWrittenInput) {
  const { bead, definition } = input;
  const options = input.options ?? {};
  const trail = new Trail();
  const extra = new ExtraWork(input.extras ?? {}, bead, definition);
  const node = (key: string): ResolvedNode => definition.nodes.find((n) => n.key === key)!;

  async function turn(n: ResolvedNode): Promise<AgentTurnResult> {
    const agents = proxyActivities<AgentActivities>({
      taskQueue: roleTaskQueue(n.role, options.roleQueuePrefix),
      startToCloseTimeout: Math.min(n.timeoutMs || DEFAULT_TURN_TIMEOUT_MS, DEFAULT_TURN_TIMEOUT_MS),
      heartbeatTimeout: options.heartbeatTimeoutMs ?? 60_000,
      retry: {
        initialInterval: 1_000,
        backoffCoefficient: 2,
        maximumInterval: 30_000,
        maximumAttempts: options.turnRetryAttempts ?? 5,
        nonRetryableErrorTypes: ['MalformedAgentResult', 'AgentConfigurationError'],
      },
    });
    const turnInput: AgentTurnInput = {
      beadId: bead.id,
      bead: { title: bead.title, description: bead.description, type: bead.type, priority: bead.priority, labels: bead.labels },
      node: {
        key: n.key,
        type: n.type,
        role: n.role,
        personaHint: n.personaHint,
        instructions: n.instructions,
        verify: n.verify,
        ...(n.maxToolCalls !== undefined && n.maxTokens !== undefined
          ? { limits: { maxToolCalls: n.maxToolCalls, maxTokens: n.maxTokens } }
          : {}),
      },
      attempt: 1,
      dispatch: 1,
      dispatchIndex: trail.dispatches[n.key] ?? 0,
      feedback: trail.feedback,
      historySummary: trail.summary(),
      context: [],
      scenario: bead.scenario,
      worktree: undefined,
      canLoop: true,
    };
    trail.dispatches[n.key] = (trail.dispatches[n.key] ?? 0) + 1;
    return extra.race(n.timeoutMs, () => agents.agentTurn(turnInput));
  }

  /** Runs `key` and moves on to `next` ('' = end); approvals return whether they approved. */
  async function visit(key: string, next: (approved: boolean) => string): Promise<boolean> {
    const n = node(key);
    const startedAt = Date.now();
    const result = await turn(n);
    const approved = result.outcome === 'approved' || result.outcome === 'success';
    if (n.type === 'approval') trail.turn(n, 'decision', approved ? 'approved' : 'rejected', result, startedAt);
    else trail.turn(n, 'turn', result.outcome, result, startedAt);
    const to = next(approved);
    trail.move(key, to, n.type === 'approval' ? (approved ? 'approved' : 'rejected') : 'success');
    extra.moved(to, to ? node(to).role : '', trail.take(), to ? 'running' : 'completed');
    return approved;
  }

  function begin(first: string): void {
    trail.move('', first, 'success');
    extra.moved(first, node(first).role, trail.take());
  }

  return { begin, visit, settle: () => extra.settle() };
}

/** bench/definitions/linear5.yaml by hand. */
export async function handLinear(input: HandWrittenInput): Promise<number> {
  const { begin, visit, settle } = runner(input);
  const keys = ['triage', 'design', 'implement', 'test', 'release'];
  begin(keys[0]);
  for (const [i, key] of keys.entries()) await visit(key, () => keys[i + 1] ?? '');
  await settle();
  return keys.length;
}

/** bench/definitions/approval-loop.yaml by hand: review sends implement back until it approves. */
export async function handApprovalLoop(input: HandWrittenInput): Promise<number> {
  const { begin, visit, settle } = runner(input);
  let turns = 2;
  begin('design');
  await visit('design', () => 'implement');
  await visit('implement', () => 'review');
  while (!(await visit('review', (ok) => (ok ? 'verify' : 'implement')))) {
    await visit('implement', () => 'review');
    turns += 2;
  }
  await visit('verify', () => '');
  await settle();
  return turns + 2;
}

const approveSignal = defineSignal<[unknown]>('approve');

/** bench/definitions/parked.yaml by hand (scale baseline): wait for `approve`, ship, end. */
export async function handParked(input: HandWrittenInput): Promise<number> {
  let approved = false;
  setHandler(approveSignal, () => void (approved = true));
  const { visit, settle } = runner(input);
  await condition(() => approved);
  await visit('ship', () => '');
  await settle();
  return 1;
}
