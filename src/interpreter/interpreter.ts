/**
 * The rules of a bead's run, with no Temporal in sight: the workflow reports what happened
 * (a turn finished, a timer fired, a decision arrived) and gets back the next Step. Every
 * durability rule the systems we replace got wrong lives here, where a unit test can pin it.
 */
import type { ResolvedDefinition, ResolvedEdge, ResolvedNode } from '../dsl/types';
import type { AgentTurnResult } from '../shared/agent';
import type { Verdict } from './decisions';
import { judgeDecision, judgeOverride, remember } from './decisions';
import { record } from './history';
import { backoffMs, failureRoute, forkBranches, mergeOf, nodeByKey, normalizeOutcome, selectEdge, startEdge } from './routing';
import type {
  AppliedDecision,
  BranchResult,
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
const FAILING = new Set(['failure', 'rejected', 'timeout', 'escalated']);

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

/** Key of the whole-graph cycle count in `reentries` (not a valid node key: node keys are names). */
const GLOBAL_CYCLES = '*';

export class Interpreter {
  readonly state: InterpreterState;
  /** What became of each accepted decision or override (by identity): what a decision Update answers. */
  private readonly outcomes = new WeakMap<Decision | Override, AppliedDecision>();
  /** Runs recorded before refusals stopped burning request ids remember those ids too (set by the shell from `patched()`). */
  rememberRefusedRequestIds = false;
  /** Runs recorded before max_hops counted transitions spend hops on redispatches (set by the shell from `patched()`). */
  hopsCountRedispatches = false;

  constructor(
    readonly def: ResolvedDefinition,
    beadId: string,
    state?: InterpreterState,
  ) {
    this.state = state ?? initialState(def, beadId);
  }

  // ---- entry points -------------------------------------------------------------------------

  /** Takes the start edge. */
  begin(now: number): Step {
    const edge = startEdge(this.def);
    if (!edge) return this.finish('failed', `definition ${this.def.id} has no start edge`, now);
    const main: Cursor = { id: MAIN, node: '', attempt: 0, dispatch: 0, enteredAt: now, deadline: 0, context: [] };
    this.state.cursors = [main];
    return this.move(main, edge, now);
  }

  /** After continue-as-new: the step the main cursor was about to take. */
  resume(now: number): Step {
    if (this.state.pendingOverride) return this.applyOverride(now);
    const main = this.cursor(MAIN);
    if (this.state.status === 'escalated' && this.state.escalation && !this.state.escalation.resolution) {
      return { kind: 'escalated', cursor: MAIN, record: this.state.escalation };
    }
    return this.stepFor(main, now);
  }

  turnStarted(cursorId: string): void {
    const c = this.cursor(cursorId);
    this.state.dispatchCount++;
    this.state.nodeDispatches[c.node] = (this.state.nodeDispatches[c.node] ?? 0) + 1;
  }

  /** An agent turn (or commit) returned a result. */
  turnFinished(cursorId: string, result: AgentTurnResult, startedAt: number, now: number): Step {
    const c = this.cursor(cursorId);
    const node = nodeByKey(this.def, c.node);
    const outcome = normalizeOutcome(node, result.outcome);
    const base = {
      node: node.key,
      role: node.role,
      actor: result.agent,
      attempt: c.attempt,
      dispatch: c.dispatch,
      startedAt,
      endedAt: now,
      ...(result.usage ? { usage: result.usage } : {}),
    };
    if (outcome === 'redispatch') {
      record(this.state, { ...base, kind: 'turn', outcome, summary: result.summary, branch: this.branchOf(c) });
      return this.redispatch(c, node, result.summary, now);
    }
    if (node.type === 'approval') {
      return this.decide(c, node, { approve: outcome === 'approved', by: result.agent, reason: result.summary, source: 'agent' }, now);
    }
    record(this.state, { ...base, kind: 'turn', outcome, summary: result.summary, branch: this.branchOf(c) });
    if (outcome === 'failure') return this.attemptFailed(c, node, result.summary, now);
    if (outcome === 'rejected') this.state.feedback = result.summary;
    return this.route(c, node, outcome, now);
  }

  /** The turn's activity failed after its own retries: an attempt failure, like an agent saying so. */
  turnErrored(cursorId: string, message: string, startedAt: number, now: number): Step {
    const c = this.cursor(cursorId);
    const node = nodeByKey(this.def, c.node);
    const base = { node: node.key, role: node.role, attempt: c.attempt, dispatch: c.dispatch, startedAt, endedAt: now };
    if (node.type === 'approval' && node.approval?.mode === 'any') {
      // A person can still decide: the reviewer's error is noted and the node keeps waiting.
      record(this.state, { ...base, kind: 'note', outcome: 'error', summary: `reviewer agent failed (${message}); waiting for a person` });
      return {
        kind: 'approval',
        cursor: c.id,
        node: node.key,
        role: node.role,
        agentReview: false,
        humanAllowed: true,
        deadline: c.deadline,
      };
    }
    record(this.state, { ...base, kind: 'turn', outcome: 'failure', actor: 'error', summary: message, branch: this.branchOf(c) });
    return this.attemptFailed(c, node, message, now);
  }

  backoffElapsed(cursorId: string, now: number): Step {
    const c = this.cursor(cursorId);
    c.attempt++;
    c.dispatch = 1;
    c.context = [];
    if (c.id === MAIN) this.state.attempts = c.attempt;
    return this.stepFor(c, now);
  }

  /** No worker of the node's role picked the turn up within its role_wait: the timeout edge, else an escalation that says so. */
  noWorkerForRole(cursorId: string, waitedMs: number, now: number): Step {
    const c = this.cursor(cursorId);
    const node = nodeByKey(this.def, c.node);
    const detail = `no worker serves role "${node.role}": the turn of "${node.key}" waited ${Math.round(waitedMs / 1000)} s (role_wait); start one with \`npm run worker -- --roles "${node.role}"\``;
    record(this.state, {
      kind: 'timeout',
      node: node.key,
      role: node.role,
      attempt: c.attempt,
      endedAt: now,
      summary: detail,
      branch: this.branchOf(c),
    });
    const edge = selectEdge(this.def, node.key, 'timeout');
    if (edge) return this.move(c, edge, now);
    return this.escalate(c, 'no_worker_for_role', detail, now);
  }

  /** A commit node's conflict survived every resolution turn (`max_resolutions`): a person decides, whatever the failure edge says. */
  conflictUnresolved(cursorId: string, result: AgentTurnResult, files: string[], startedAt: number, now: number): Step {
    const c = this.cursor(cursorId);
    const node = nodeByKey(this.def, c.node);
    const base = {
      node: node.key,
      role: node.role,
      actor: result.agent,
      attempt: c.attempt,
      dispatch: c.dispatch,
      startedAt,
      endedAt: now,
    };
    record(this.state, { ...base, kind: 'turn', outcome: 'failure', summary: result.summary, branch: this.branchOf(c) });
    return this.escalate(c, 'conflict', `"${node.key}": unresolved conflict in ${files.join(', ')}: ${result.summary}`, now);
  }

  /** The node's whole-node deadline passed (any attempt, dispatch or backoff in flight is cancelled). */
  timedOut(cursorId: string, now: number): Step {
    const c = this.cursor(cursorId);
    const node = nodeByKey(this.def, c.node);
    c.waiting = false;
    this.dropPending(c, `"${node.key}" timed out before the decision was applied`);
    const minutes = Math.round((now - c.enteredAt) / 600) / 100;
    record(this.state, {
      kind: 'timeout',
      node: node.key,
      role: node.role,
      attempt: c.attempt,
      endedAt: now,
      summary: `node timed out after ${minutes} min`,
      branch: this.branchOf(c),
    });
    const edge = selectEdge(this.def, node.key, 'timeout');
    if (edge) return this.move(c, edge, now);
    if (node.type === 'approval') return this.escalate(c, 'timeout', `no decision on "${node.key}" before its timeout`, now);
    const fallback = failureRoute(this.def, node.key);
    if (fallback) return this.move(c, fallback, now);
    return this.escalate(c, 'timeout', `"${node.key}" timed out and has no timeout or failure route`, now);
  }

  // ---- approvals ----------------------------------------------------------------------------

  /** Would this decision be accepted now? Pure: what an Update's validator asks. */
  checkDecision(d: Decision): Verdict {
    return judgeDecision(
      this.def,
      this.state,
      d,
      this.state.cursors.filter((c) => c.waiting),
    );
  }

  /** A person's decision arrived. Returns whether it was accepted; refusals are recorded, and only an accepted requestId is remembered. */
  receiveDecision(d: Decision, now: number): { accepted: boolean; why?: string; cursor?: string } {
    const verdict = this.checkDecision(d);
    if (!verdict.ok) {
      if (this.rememberRefusedRequestIds) remember(this.state, d.requestId);
      this.noteRefused(
        { by: d.by, node: d.node, outcome: d.approve ? 'approved' : 'rejected', why: `${verdict.kind}: ${verdict.why}` },
        now,
      );
      return { accepted: false, why: verdict.why };
    }
    remember(this.state, d.requestId);
    verdict.cursor!.pendingDecision = d;
    return { accepted: true, cursor: verdict.cursor!.id };
  }

  /** Records a decision, override or cancel that arrived but was not applied (fields already bounded by the caller). */
  noteRefused(r: { by: string; node?: string; outcome: string; why: string }, now: number): void {
    record(this.state, {
      kind: 'ignored',
      node: r.node ?? this.state.currentNode,
      actor: r.by,
      outcome: r.outcome,
      endedAt: now,
      summary: r.why,
    });
  }

  /** What became of an accepted decision or override: undefined while it is still pending. */
  outcomeOf(d: Decision | Override): AppliedDecision | undefined {
    return this.outcomes.get(d);
  }

  /** The shell applies a decision it saw pending on a waiting cursor. */
  applyDecision(cursorId: string, now: number): Step {
    const c = this.cursor(cursorId);
    const d = c.pendingDecision!;
    c.pendingDecision = undefined;
    return this.decide(c, nodeByKey(this.def, c.node), d, now);
  }

  // ---- escalation and overrides -------------------------------------------------------------

  checkOverride(o: Override): Verdict {
    return judgeOverride(this.def, this.state, o);
  }

  receiveOverride(o: Override, now: number): { accepted: boolean; why?: string } {
    const verdict = this.checkOverride(o);
    if (!verdict.ok) {
      if (this.rememberRefusedRequestIds) remember(this.state, o.requestId);
      this.noteRefused({ by: o.by, outcome: o.action, why: `${verdict.kind}: ${verdict.why}` }, now);
      return { accepted: false, why: verdict.why };
    }
    remember(this.state, o.requestId);
    this.state.pendingOverride = o;
    return { accepted: true };
  }

  applyOverride(now: number): Step {
    const o = this.state.pendingOverride!;
    this.state.pendingOverride = undefined;
    const c = this.cursor(MAIN);
    const escalation = this.state.escalation!;
    return this.tracked(o, escalation.node, () => this.override(c, o, escalation, now));
  }

  private override(c: Cursor, o: Override, escalation: EscalationRecord, now: number): Step {
    escalation.resolution = `${o.action}${o.node ? ` ${o.node}` : ''} by ${o.by}`;
    record(this.state, {
      kind: 'override',
      node: c.node,
      actor: o.by,
      outcome: o.action,
      to: o.node,
      endedAt: now,
      summary: o.reason ?? escalation.resolution,
    });
    this.state.status = 'running';
    // The CEO's say-so grants a fresh transition budget (the old one is why it escalated).
    if (escalation.reason === 'hops') this.state.transitions = 0;
    switch (o.action) {
      case 'abort':
        return this.finish('aborted', `aborted by ${o.by}${o.reason ? `: ${o.reason}` : ''}`, now);
      case 'retry':
        return this.enter(c, c.node, now, { countCycle: false });
      case 'goto':
        this.state.reentries[o.node!] = 0;
        return this.enter(c, o.node!, now, { countCycle: false });
      case 'continue': {
        const node = nodeByKey(this.def, c.node);
        const edge = selectEdge(this.def, node.key, 'success') ?? selectEdge(this.def, node.key, 'approved');
        if (!edge) return this.finish('completed', `continued by ${o.by}; "${node.key}" has no success route`, now);
        return this.move(c, edge, now);
      }
    }
  }

  /** The child "CEO decision" bead the shell started for the open escalation. */
  escalationChildStarted(childBeadId: string): void {
    if (this.state.escalation) this.state.escalation.childBeadId = childBeadId;
  }

  // ---- parallel branches --------------------------------------------------------------------

  /** Starts the fork's branches; returns one step per branch. */
  startBranches(cursorId: string, now: number): Step[] {
    const fork = this.cursor(cursorId);
    const merge = mergeOf(this.def, fork.node);
    const branches = forkBranches(this.def, fork.node);
    record(this.state, { kind: 'fork', node: fork.node, endedAt: now, summary: `branches: ${branches.join(', ')}` });
    return branches.map((start) => {
      const branch: Cursor = {
        id: `${fork.node}/${start}`,
        node: fork.node,
        attempt: 0,
        dispatch: 0,
        enteredAt: now,
        deadline: 0,
        context: [],
        stopAt: merge?.key,
      };
      this.state.cursors.push(branch);
      return this.enter(branch, start, now, { countCycle: true });
    });
  }

  /** All (or the first) branches arrived at the merge: the fork's cursor moves on from the merge. */
  branchesJoined(cursorId: string, results: BranchResult[], now: number): Step {
    const fork = this.cursor(cursorId);
    const merge = mergeOf(this.def, fork.node);
    this.state.cursors = this.state.cursors.filter((c) => !c.id.startsWith(`${fork.node}/`));
    const failed = results.filter((r) => r.failed).map((r) => r.branch);
    const summary = results.map((r) => `${r.branch}: ${r.failed ? 'failed' : 'ok'}${r.summary ? ` (${r.summary})` : ''}`).join('; ');
    if (!merge) return this.finish('failed', `fork "${fork.node}" has no merge node`, now);
    fork.node = merge.key;
    this.state.visits[merge.key] = (this.state.visits[merge.key] ?? 0) + 1;
    if (fork.id === MAIN) this.state.currentNode = merge.key;
    record(this.state, {
      kind: 'join',
      node: merge.key,
      outcome: failed.length ? 'failure' : 'success',
      endedAt: now,
      summary: failed.length ? `failed branches: ${failed.join(', ')}; ${summary}` : summary,
    });
    if (failed.length === 0) return this.route(fork, merge, 'success', now);
    const edge = failureRoute(this.def, merge.key);
    return edge ? this.move(fork, edge, now) : this.escalate(fork, 'branch', `branches failed: ${failed.join(', ')}`, now);
  }

  // ---- internals ----------------------------------------------------------------------------

  private cursor(id: string): Cursor {
    const c = this.state.cursors.find((x) => x.id === id);
    if (!c) throw new Error(`no cursor "${id}"`);
    return c;
  }

  private branchOf(c: Cursor): string | undefined {
    return c.id === MAIN ? undefined : c.id;
  }

  /** Runs `apply` and remembers, for `outcomeOf`, the edge it took (the first move it recorded). */
  private tracked(key: Decision | Override, node: string, apply: () => Step): Step {
    const before = this.state.historyTotal;
    const step = apply();
    const move = this.state.history.find((h) => h.seq > before && h.kind === 'move');
    this.outcomes.set(key, { node, edge: move ? { from: move.node, to: move.to ?? '', condition: move.condition! } : undefined });
    return step;
  }

  /** A pending decision that will never be applied (the node timed out, the bead ended). */
  private dropPending(c: Cursor, why: string): void {
    if (!c.pendingDecision) return;
    this.outcomes.set(c.pendingDecision, { node: c.node, dropped: why });
    c.pendingDecision = undefined;
  }

  private decide(c: Cursor, node: ResolvedNode, d: Decision, now: number): Step {
    return this.tracked(d, node.key, () => this.decideUntracked(c, node, d, now));
  }

  private decideUntracked(c: Cursor, node: ResolvedNode, d: Decision, now: number): Step {
    c.waiting = false;
    const outcome: NodeOutcome = d.approve ? 'approved' : 'rejected';
    record(this.state, {
      kind: 'decision',
      node: node.key,
      role: node.role,
      actor: d.by,
      outcome,
      attempt: c.attempt,
      startedAt: c.enteredAt,
      endedAt: now,
      summary: d.reason || outcome,
      branch: this.branchOf(c),
    });
    if (d.source === 'person')
      this.state.lastDecision = {
        by: d.by,
        approve: d.approve,
        reason: d.reason,
        ...(d.action ? { action: d.action, target: d.target } : {}),
      };
    if (d.approve) this.state.feedback = undefined;
    else this.state.feedback = d.reason ? `${node.key} rejected by ${d.by}: ${d.reason}` : `${node.key} rejected by ${d.by}`;
    return this.route(c, node, outcome, now);
  }

  private redispatch(c: Cursor, node: ResolvedNode, summary: string, now: number): Step {
    if (c.dispatch >= node.maxDispatches) {
      return this.attemptFailed(c, node, `needed more than ${node.maxDispatches} dispatches (max_dispatches)`, now);
    }
    if (this.hopsCountRedispatches) {
      if (this.state.hops >= this.def.maxHops) {
        return this.attemptFailed(c, node, `bead used its ${this.def.maxHops} redispatch hops (max_hops)`, now);
      }
      this.state.hops++;
    }
    c.dispatch++;
    c.context.push(summary);
    return this.stepFor(c, now);
  }

  /** Attempts: retry after backoff until max_attempts (0 = unlimited), then failure → escalated → escalate. */
  private attemptFailed(c: Cursor, node: ResolvedNode, why: string, now: number): Step {
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
    const edge = selectEdge(this.def, node.key, 'failure');
    if (edge) return this.move(c, edge, now);
    return this.escalate(c, 'attempts', `"${node.key}" failed ${c.attempt} of ${node.maxAttempts} attempts: ${why}`, now);
  }

  private route(c: Cursor, node: ResolvedNode, outcome: NodeOutcome, now: number): Step {
    const edge = selectEdge(this.def, node.key, outcome);
    if (edge) return this.move(c, edge, now);
    if (outcome === 'rejected' || outcome === 'failure') {
      const fallback = selectEdge(this.def, node.key, 'escalated');
      if (fallback) return this.move(c, fallback, now);
    }
    return this.escalate(c, 'no_route', `"${node.key}" has no route for "${outcome}"`, now);
  }

  /** Escalated edge if the node has one (to "" ends the run as escalated); else an open escalation. */
  private escalate(c: Cursor, reason: EscalationReason, detail: string, now: number): Step {
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
    return { kind: 'escalated', cursor: c.id, record: escalation };
  }

  private move(c: Cursor, edge: ResolvedEdge, now: number): Step {
    if (!this.hopsCountRedispatches && edge.to !== '') {
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
  private enter(c: Cursor, key: string, now: number, opts: { countCycle: boolean }): Step {
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
    c.enteredAt = now;
    c.deadline = node.timeoutMs > 0 ? now + node.timeoutMs : 0;
    if (c.id === MAIN) {
      this.state.currentNode = key;
      this.state.attempts = 1;
    }
    return this.stepFor(c, now);
  }

  private stepFor(c: Cursor, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    c.waiting = node.type === 'approval';
    this.refreshStatus();
    switch (node.type) {
      case 'approval': {
        const mode = node.approval?.mode ?? 'any';
        return {
          kind: 'approval',
          cursor: c.id,
          node: node.key,
          role: node.role,
          agentReview: mode !== 'human',
          humanAllowed: mode !== 'agent',
          deadline: c.deadline,
        };
      }
      case 'commit':
        return { kind: 'commit', cursor: c.id, node: node.key, role: node.role, attempt: c.attempt, deadline: c.deadline };
      case 'parallel': {
        const merge = mergeOf(this.def, node.key);
        return {
          kind: 'fork',
          cursor: c.id,
          node: node.key,
          branches: forkBranches(this.def, node.key),
          merge: merge?.key ?? '',
          wait: merge?.merge?.wait ?? 'all',
        };
      }
      case 'merge':
        // A merge reached outside its fork's branches passes straight through.
        return this.route(c, node, 'success', now);
      default:
        return {
          kind: 'turn',
          cursor: c.id,
          node: node.key,
          role: node.role,
          attempt: c.attempt,
          dispatch: c.dispatch,
          deadline: c.deadline,
        };
    }
  }

  /** running / waiting_approval follow the cursors; terminal and escalated states stay put. */
  refreshStatus(): void {
    const s = this.state;
    if (['completed', 'failed', 'aborted'].includes(s.status)) return;
    if (s.status === 'escalated' && s.escalation && !s.escalation.resolution) return;
    s.status = s.cursors.some((c) => c.waiting) ? 'waiting_approval' : 'running';
  }

  /** The run was cancelled (Temporal's cancellation request, optionally preceded by the cancel signal's who and why). */
  cancel(by: string, reason: string, now: number): Step {
    this.state.pendingOverride = undefined;
    return this.finish('cancelled', `cancelled by ${by}${reason ? `: ${reason}` : ''}`, now);
  }

  private finish(status: FinalStatus, reason: string, now: number): Step {
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
