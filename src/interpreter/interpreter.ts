/**
 * The rules of a bead's run, with no Temporal in sight: the workflow reports what happened as an
 * event (a turn finished, a timer fired, a decision is due) to `apply` and gets back the next Step;
 * messages from outside (decisions, overrides) go to `receive` and get a Receipt. Every
 * durability rule the systems we replace got wrong lives here, where a unit test can pin it.
 */
import type { ResolvedNode } from '../dsl/types';
import type { AgentTurnResult } from '../shared/agent';
import { MAIN } from './cursor-moves';
import { DecisionMoves } from './decision-moves';
import { record } from './history';
import { subworkflowOutcome } from './subworkflow';
import { forkBranches, mergeOf, nodeByKey, normalizeOutcome, startEdge } from './routing';
import type { BeadEvent, BeadMessage, BranchResult, Cursor, InterpreterState, Receipt, Step } from './types';

export { MAIN, OVERRIDE_DUE, initialState } from './cursor-moves';
export type { InterpreterRules } from './cursor-moves';

/** What the shell reads of a finished (or continuing) bead: its result, without reaching into the state. */
export interface RunSummary {
  status: InterpreterState['status'];
  cycleCount: number;
  dispatchCount: number;
  lastDecision?: InterpreterState['lastDecision'];
}

export class Interpreter extends DecisionMoves {
  // ---- the entry points ---------------------------------------------------------------------

  /** What happened, answered with what to do next. */
  apply(event: BeadEvent): Step {
    const now = event.at;
    switch (event.type) {
      case 'begin':
        return this.begin(now);
      case 'resume':
        return this.resume(now);
      case 'turnDone':
        return this.turnDone(this.cursor(event.cursor), event.result, event.startedAt, now);
      case 'turnFailed':
        return this.turnFailed(this.cursor(event.cursor), event.message, event.startedAt, event.noWorkerAfterMs, now);
      case 'deadline':
        return this.timedOut(this.cursor(event.cursor), now);
      case 'backoffDone':
        return this.backoffDone(this.cursor(event.cursor), now);
      case 'commitConflict':
        return this.commitConflict(this.cursor(event.cursor), event.result, event.files, event.startedAt, now);
      case 'decisionDue':
        return this.decisionDue(this.cursor(event.cursor), now);
      case 'overrideDue':
        return this.overrideDue(now);
      case 'fork':
        return { kind: 'branches', cursor: event.cursor, steps: this.startBranches(this.cursor(event.cursor), now) };
      case 'joined':
        return this.joined(this.cursor(event.cursor), event.results, now);
      case 'subworkflowDone':
        return this.subworkflowDone(this.cursor(event.cursor), event, now);
      case 'cancelled':
        this.state.pendingOverride = undefined;
        return this.finish('cancelled', `cancelled by ${event.by}${event.reason ? `: ${event.reason}` : ''}`, now);
    }
  }

  /** A message from outside: accepted ones are due (the Receipt says which wait to wake), refusals are recorded. */
  receive(message: BeadMessage): Receipt {
    switch (message.type) {
      case 'decision':
        return this.receiveDecision(message.decision, message.at);
      case 'override':
        return this.receiveOverride(message.override, message.at);
      case 'refused':
        this.noteRefused(message, message.at);
        return { accepted: false, why: message.why };
      case 'escalationChild':
        if (this.state.escalation) this.state.escalation.childBeadId = message.beadId;
        return { accepted: true };
    }
  }

  /** The state continue-as-new carries (plain JSON). */
  checkpoint(): InterpreterState {
    return this.state;
  }

  summary(): RunSummary {
    const s = this.state;
    return { status: s.status, cycleCount: s.cycleCount, dispatchCount: s.dispatchCount, lastDecision: s.lastDecision };
  }

  // ---- run ----------------------------------------------------------------------------------

  private begin(now: number): Step {
    const edge = startEdge(this.def);
    if (!edge) return this.finish('failed', `definition ${this.def.id} has no start edge`, now);
    const main: Cursor = { id: MAIN, node: '', attempt: 0, dispatch: 0, enteredAt: now, deadline: 0, context: [] };
    this.state.cursors = [main];
    return this.move(main, edge, now);
  }

  private resume(now: number): Step {
    if (this.state.pendingOverride) return this.overrideDue(now);
    const main = this.cursor(MAIN);
    if (this.state.status === 'escalated' && this.state.escalation && !this.state.escalation.resolution) {
      return this.escalatedStep(main, this.state.escalation);
    }
    // A decision accepted while the previous run was closing is applied first.
    if (main.pendingDecision) return this.decisionDue(main, now);
    return this.stepFor(main, now);
  }

  private turnDone(c: Cursor, result: AgentTurnResult, startedAt: number, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    const outcome = normalizeOutcome(node, result.outcome);
    const base = this.turnEntry(c, node, result, startedAt, now);
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

  private turnFailed(c: Cursor, message: string, startedAt: number, noWorkerAfterMs: number | undefined, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    const base = { node: node.key, role: node.role, attempt: c.attempt, dispatch: c.dispatch, startedAt, endedAt: now };
    if (node.type === 'approval' && node.approval?.mode === 'any') {
      // A person can still decide: the reviewer's error (or absence) is noted and the node keeps waiting.
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
    if (noWorkerAfterMs !== undefined) return this.noWorkerForRole(c, node, noWorkerAfterMs, now);
    record(this.state, { ...base, kind: 'turn', outcome: 'failure', actor: 'error', summary: message, branch: this.branchOf(c) });
    return this.attemptFailed(c, node, message, now);
  }

  private backoffDone(c: Cursor, now: number): Step {
    c.attempt++;
    c.dispatch = 1;
    c.context = [];
    c.counted = false;
    if (c.id === MAIN) this.state.attempts = c.attempt;
    return this.stepFor(c, now);
  }

  /** No worker of the node's role picked the turn up within its role_wait: the timeout edge, else an escalation that says so. */
  private noWorkerForRole(c: Cursor, node: ResolvedNode, waitedMs: number, now: number): Step {
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
    return this.fallBack(c, node, { kind: 'no_worker' }, detail, now);
  }

  /** The fields every history entry of a finished turn shares. */
  private turnEntry(c: Cursor, node: ResolvedNode, result: AgentTurnResult, startedAt: number, now: number) {
    return {
      node: node.key,
      role: node.role,
      actor: result.agent,
      attempt: c.attempt,
      dispatch: c.dispatch,
      startedAt,
      endedAt: now,
      ...(result.usage ? { usage: result.usage } : {}),
    };
  }

  /** A commit node's conflict survived every resolution turn (`max_resolutions`): a person decides, whatever the failure edge says. */
  private commitConflict(c: Cursor, result: AgentTurnResult, files: string[], startedAt: number, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    const { usage: _usage, ...base } = this.turnEntry(c, node, result, startedAt, now);
    record(this.state, { ...base, kind: 'turn', outcome: 'failure', summary: result.summary, branch: this.branchOf(c) });
    const detail = `"${node.key}": unresolved conflict in ${files.join(', ')}: ${result.summary}`;
    return this.fallBack(c, node, { kind: 'conflict' }, detail, now);
  }

  /** A child bead ended: completed routes success; any other end is a failed attempt (retries, then the failure route). */
  private subworkflowDone(c: Cursor, e: Extract<BeadEvent, { type: 'subworkflowDone' }>, now: number): Step {
    const node = nodeByKey(this.def, c.node);
    const outcome = subworkflowOutcome(e.status);
    const summary = `child bead ${e.childId} ended ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
    record(this.state, {
      kind: 'turn',
      node: node.key,
      actor: e.childId,
      outcome,
      attempt: c.attempt,
      dispatch: c.dispatch,
      startedAt: e.startedAt,
      endedAt: now,
      summary,
      branch: this.branchOf(c),
    });
    return outcome === 'success' ? this.route(c, node, 'success', now) : this.attemptFailed(c, node, summary, now);
  }

  /** The node's whole-node deadline passed (any attempt, dispatch or backoff in flight is cancelled). */
  private timedOut(c: Cursor, now: number): Step {
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
    const approval = node.type === 'approval';
    const detail = approval
      ? `no decision on "${node.key}" before its timeout`
      : `"${node.key}" timed out and has no timeout or failure route`;
    return this.fallBack(c, node, { kind: 'timeout', approval }, detail, now);
  }

  // ---- parallel branches --------------------------------------------------------------------

  private startBranches(fork: Cursor, now: number): Step[] {
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
  private joined(fork: Cursor, results: BranchResult[], now: number): Step {
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
    return this.fallBack(fork, merge, { kind: 'branch' }, `branches failed: ${failed.join(', ')}`, now);
  }

  // ---- internals ----------------------------------------------------------------------------

  private redispatch(c: Cursor, node: ResolvedNode, summary: string, now: number): Step {
    if (c.dispatch >= node.maxDispatches) {
      return this.attemptFailed(c, node, `needed more than ${node.maxDispatches} dispatches (max_dispatches)`, now);
    }
    if (this.rules.hopsCountRedispatches) {
      if (this.state.hops >= this.def.maxHops) {
        return this.attemptFailed(c, node, `bead used its ${this.def.maxHops} redispatch hops (max_hops)`, now);
      }
      this.state.hops++;
    }
    c.dispatch++;
    c.counted = false;
    c.context.push(summary);
    return this.stepFor(c, now);
  }
}
