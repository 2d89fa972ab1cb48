/**
 * How a cursor moves through the graph: edges, node entry (cycles, deadlines), escalation, the
 * fallback table's routes and the Step each node asks for. The Interpreter (interpreter.ts) turns
 * events and messages into these moves.
 */
import type { ResolvedDefinition, ResolvedEdge, ResolvedNode } from '../dsl/types';
import type { Bead } from '../shared/bead';
import { guardHolds, SKIPPED } from './guards';
import { record } from './history';
import type { FailureCause } from './routing';
import { backoffMs, fallbackEdge, fallbackFor, mergeOf, nodeByKey, selectEdge } from './routing';
import { dispatches, nodeStep, turnPlan } from './steps';
import { subworkflowStep } from './subworkflow';
import type {
  AppliedDecision,
  Cursor,
  Decision,
  EscalationReason,
  EscalationRecord,
  FinalStatus,
  InterpreterState,
  NodeOutcome,
  Override,
  Step,
} from './types';

export const MAIN = 'main';
/** A Receipt's `due` when an override waits to be applied. */
export const OVERRIDE_DUE = 'override';
const FAILING = new Set(['failure', 'rejected', 'timeout', 'escalated']);
/** Key of the whole-graph cycle count in `reentries` (not a valid node key: node keys are names). */
const GLOBAL_CYCLES = '*';

export function initialState(def: ResolvedDefinition, beadId: string): InterpreterState {
  return {
    beadId,
    definitionId: def.id,
    status: 'running',
    currentNode: '',
    cycleCount: 0,
    attempts: 0,
    dispatchCount: 0,
    history: [],
    historyTotal: 0,
    visits: {},
    reentries: {},
    nodeDispatches: {},
    hops: 0,
    cursors: [],
    seenRequestIds: [],
  };
}

export interface InterpreterRules {
  /** Runs recorded before refusals stopped burning request ids remember those ids too (from `patched()`). */
  rememberRefusedRequestIds?: boolean;
  /** Runs recorded before max_hops counted transitions spend hops on redispatches (from `patched()`). */
  hopsCountRedispatches?: boolean;
  /** Guards (`when:`, step `condition:`) are evaluated on entry; runs recorded before they were ignore them (from `patched()`). */
  stepConditions?: boolean;
}

export abstract class CursorMoves {
  readonly state: InterpreterState;
  /** What became of each accepted decision or override (by identity): what a decision Update answers. */
  protected readonly outcomes = new WeakMap<Decision | Override, AppliedDecision>();
  protected readonly rules: Required<InterpreterRules>;

  constructor(
    readonly def: ResolvedDefinition,
    protected readonly bead: Bead,
    state?: InterpreterState,
    rules: InterpreterRules = {},
  ) {
    this.state = state ?? initialState(def, bead.id);
    this.rules = { rememberRefusedRequestIds: false, hopsCountRedispatches: false, stepConditions: false, ...rules };
  }

  protected escalatedStep(c: Cursor, record: EscalationRecord): Step {
    const step: Step = { kind: 'escalated', cursor: c.id, record };
    if (!this.def.escalation.childBead || record.childBeadId) return step;
    const legacySeq = this.state.history.filter((h) => h.kind === 'escalation').length;
    return { ...step, child: { seq: this.state.escalationSeq ?? 1, legacySeq } };
  }

  protected cursor(id: string): Cursor {
    const c = this.state.cursors.find((x) => x.id === id);
    if (!c) throw new Error(`no cursor "${id}"`);
    return c;
  }

  protected branchOf(c: Cursor): string | undefined {
    return c.id === MAIN ? undefined : c.id;
  }

  /** A pending decision that will never be applied (the node timed out, the bead ended). */
  protected dropPending(c: Cursor, why: string): void {
    if (!c.pendingDecision) return;
    this.outcomes.set(c.pendingDecision, { node: c.node, dropped: why });
    c.pendingDecision = undefined;
  }

  /** Attempts: retry after backoff until max_attempts (0 = unlimited), then the fallback for spent attempts. */
  protected attemptFailed(c: Cursor, node: ResolvedNode, why: string, now: number): Step {
    if (node.maxAttempts === 0 || c.attempt < node.maxAttempts) {
      const ms = backoffMs(node, c.attempt);
      record(this.state, {
        kind: 'retry',
        node: node.key,
        role: node.role,
        attempt: c.attempt,
        endedAt: now,
        summary: `attempt ${c.attempt} failed (${why}); retrying in ${ms} ms`,
      });
      return { kind: 'backoff', cursor: c.id, node: node.key, ms, deadline: c.deadline };
    }
    return this.fallBack(c, node, { kind: 'attempts' }, `"${node.key}" failed ${c.attempt} of ${node.maxAttempts} attempts: ${why}`, now);
  }

  protected route(c: Cursor, node: ResolvedNode, outcome: NodeOutcome, now: number): Step {
    return this.fallBack(c, node, { kind: 'outcome', outcome }, `"${node.key}" has no route for "${outcome}"`, now);
  }

  /** The node's route for the cause (routing.ts's fallback table), else an escalation naming it. */
  protected fallBack(c: Cursor, node: ResolvedNode, cause: FailureCause, detail: string, now: number): Step {
    const fallback = fallbackFor(cause);
    const edge = fallbackEdge(this.def, node.key, fallback);
    if (edge) return this.move(c, edge, now);
    return this.escalate(c, fallback.escalate, detail, now);
  }

  /** Escalated edge if the node has one (to "" ends the run as escalated); else an open escalation. */
  protected escalate(c: Cursor, reason: EscalationReason, detail: string, now: number): Step {
    const node = c.node;
    const cycles = this.state.reentries[node] ?? 0;
    const escalation: EscalationRecord = {
      node,
      reason,
      detail,
      attempts: c.attempt,
      cycles,
      at: now,
      options: ['retry', 'goto', 'continue', 'abort'],
    };
    if (c.id !== MAIN) {
      c.failed = true;
      record(this.state, { kind: 'escalation', node, outcome: reason, endedAt: now, summary: `branch stopped: ${detail}`, branch: c.id });
      return { kind: 'arrived', cursor: c.id, node: c.stopAt ?? '', failed: true };
    }
    this.state.escalation = escalation;
    this.state.escalationSeq = (this.state.escalationSeq ?? 0) + 1;
    record(this.state, { kind: 'escalation', node, outcome: reason, attempt: c.attempt, endedAt: now, summary: detail });
    const edge = selectEdge(this.def, node, 'escalated');
    if (edge) {
      escalation.resolution = `escalated edge to ${edge.to || 'end'}`;
      return this.move(c, edge, now);
    }
    this.state.status = 'escalated';
    return this.escalatedStep(c, escalation);
  }

  protected move(c: Cursor, edge: ResolvedEdge, now: number): Step {
    if (!this.rules.hopsCountRedispatches && edge.to !== '') {
      const transitions = (this.state.transitions ?? 0) + 1;
      this.state.transitions = transitions;
      if (transitions > this.def.maxHops && edge.condition !== 'escalated') {
        return this.escalate(
          c,
          'hops',
          `the bead took ${this.def.maxHops} transitions (max_hops) and would take ${edge.from || '(start)'} → ${edge.to}`,
          now,
        );
      }
    }
    record(this.state, {
      kind: 'move',
      node: edge.from,
      condition: edge.condition,
      to: edge.to,
      endedAt: now,
      summary: `${edge.from || '(start)'} --${edge.condition}--> ${edge.to || '(end)'}`,
      branch: this.branchOf(c),
    });
    if (FAILING.has(edge.condition) && c.id !== MAIN) c.failed = true;
    if (edge.to === '') {
      if (c.id !== MAIN) return { kind: 'arrived', cursor: c.id, node: c.stopAt ?? '', failed: FAILING.has(edge.condition) };
      const status: FinalStatus = edge.condition === 'escalated' ? 'escalated' : FAILING.has(edge.condition) ? 'failed' : 'completed';
      return this.finish(status, `${edge.from} ended the run on ${edge.condition}`, now);
    }
    if (c.stopAt && edge.to === c.stopAt) return { kind: 'arrived', cursor: c.id, node: edge.to, failed: !!c.failed };
    return this.enter(c, edge.to, now, { countCycle: true });
  }

  /** Enters a node: counts a cycle on re-entry (escalating at max_cycles), resets attempts, sets the deadline. */
  protected enter(c: Cursor, key: string, now: number, opts: { countCycle: boolean }): Step {
    const node = nodeByKey(this.def, key);
    const seen = this.state.visits[key] ?? 0;
    if (opts.countCycle && seen > 0) {
      // Global scope (Loom's): one count over every re-entry; the entered node's max_cycles limits it.
      const counter = this.def.cycleScope === 'global' ? GLOBAL_CYCLES : key;
      const reentries = (this.state.reentries[counter] ?? 0) + 1;
      this.state.reentries[counter] = reentries;
      this.state.cycleCount = Math.max(this.state.cycleCount, reentries);
      if (reentries >= node.maxCycles) {
        return this.escalate(c, 'cycles', `"${key}" would run again after ${reentries} cycles (max_cycles ${node.maxCycles})`, now);
      }
    }
    this.state.visits[key] = seen + 1;
    c.node = key;
    c.attempt = 1;
    c.dispatch = 1;
    c.context = [];
    c.counted = false;
    c.enteredAt = now;
    c.deadline = node.timeoutMs > 0 ? now + node.timeoutMs : 0;
    if (c.id === MAIN) {
      this.state.currentNode = key;
      this.state.attempts = 1;
    }
    if (this.rules.stepConditions && node.guard && !guardHolds(node.guard, this.state, this.bead)) return this.skip(c, node, now);
    return this.stepFor(c, now);
  }

  /** A false guard: the node is skipped and routes as if it succeeded (a fork skips its branches, leaving from its merge). */
  private skip(c: Cursor, node: ResolvedNode, now: number): Step {
    record(this.state, {
      kind: 'note',
      node: node.key,
      outcome: SKIPPED,
      endedAt: now,
      summary: `"${node.key}" skipped: ${node.guard?.when ?? ''} is false`,
      branch: this.branchOf(c),
    });
    const from = node.type === 'parallel' ? (mergeOf(this.def, node.key) ?? node) : node;
    const outcome = from.type === 'approval' || from.type === 'verify' ? 'approved' : 'success';
    return this.route(c, from, outcome, now);
  }

  /** The cursor's node's step; a step that runs an agent counts its dispatch once (a resumed run's re-issue does not). */
  protected stepFor(c: Cursor, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    c.waiting = node.type === 'approval';
    this.refreshStatus();
    // A merge reached outside its fork's branches passes straight through.
    if (node.type === 'merge') return this.route(c, node, 'success', now);
    if (dispatches(node) && !c.counted) {
      c.counted = true;
      this.state.dispatchCount++;
      this.state.nodeDispatches[c.node] = (this.state.nodeDispatches[c.node] ?? 0) + 1;
    }
    if (node.type === 'subworkflow') return subworkflowStep(this.def, this.state, this.bead, node, c);
    return nodeStep(this.def, node, c, () => turnPlan(this.state, this.bead, node, c));
  }

  /** running / waiting_approval follow the cursors; terminal and escalated states stay put. */
  protected refreshStatus(): void {
    const s = this.state;
    if (['completed', 'failed', 'aborted'].includes(s.status)) return;
    if (s.status === 'escalated' && s.escalation && !s.escalation.resolution) return;
    s.status = s.cursors.some((c) => c.waiting) ? 'waiting_approval' : 'running';
  }

  protected finish(status: FinalStatus, reason: string, now: number): Step {
    this.state.status = status;
    this.state.endReason = reason;
    this.state.cursors.forEach((c) => {
      c.waiting = false;
      this.dropPending(c, `the bead ended (${status}) before the decision was applied`);
    });
    record(this.state, { kind: 'note', node: this.state.currentNode, outcome: status, endedAt: now, summary: reason });
    return { kind: 'end', status, reason };
  }
}
