/**
 * Decisions and overrides: judging them (what an Update's validator asks), receiving them (a
 * refusal is recorded, an accepted one waits in the state until the shell says it is due), and
 * applying them when due. The Interpreter adds the events around them.
 */
import type { ResolvedNode } from '../dsl/types';
import { CursorMoves, MAIN, OVERRIDE_DUE } from './cursor-moves';
import type { Verdict } from './decisions';
import { judgeDecision, judgeOverride, remember } from './decisions';
import { record } from './history';
import { nodeByKey, selectEdge } from './routing';
import type { AppliedDecision, Cursor, Decision, EscalationRecord, NodeOutcome, Override, Receipt, Step } from './types';

export abstract class DecisionMoves extends CursorMoves {
  /** Would this decision or override be accepted now? Pure: what an Update's validator asks. */
  judge(message: { decision: Decision } | { override: Override }): Verdict {
    if ('override' in message) return judgeOverride(this.def, this.state, message.override);
    return judgeDecision(
      this.def,
      this.state,
      message.decision,
      this.state.cursors.filter((c) => c.waiting),
    );
  }

  /** What became of an accepted decision or override: undefined while it is still pending. */
  outcomeOf(d: Decision | Override): AppliedDecision | undefined {
    return this.outcomes.get(d);
  }

  // ---- approvals ----------------------------------------------------------------------------

  /** A person's decision arrived. Refusals are recorded, and only an accepted requestId is remembered. */
  protected receiveDecision(d: Decision, now: number): Receipt {
    const verdict = this.judge({ decision: d });
    if (!verdict.ok) {
      if (this.rules.rememberRefusedRequestIds) remember(this.state, d.requestId);
      this.noteRefused(
        { by: d.by, node: d.node, outcome: d.approve ? 'approved' : 'rejected', why: `${verdict.kind}: ${verdict.why}` },
        now,
      );
      return { accepted: false, why: verdict.why };
    }
    remember(this.state, d.requestId);
    verdict.cursor!.pendingDecision = d;
    return { accepted: true, due: verdict.cursor!.id };
  }

  protected noteRefused(r: { by: string; node?: string; outcome: string; why: string }, now: number): void {
    record(this.state, {
      kind: 'ignored',
      node: r.node ?? this.state.currentNode,
      actor: r.by,
      outcome: r.outcome,
      endedAt: now,
      summary: r.why,
    });
  }

  protected decisionDue(c: Cursor, now: number): Step {
    const d = c.pendingDecision;
    if (!d) throw new Error(`no decision is due on cursor "${c.id}"`);
    c.pendingDecision = undefined;
    return this.decide(c, nodeByKey(this.def, c.node), d, now);
  }

  // ---- escalation and overrides -------------------------------------------------------------

  protected receiveOverride(o: Override, now: number): Receipt {
    const verdict = this.judge({ override: o });
    if (!verdict.ok) {
      if (this.rules.rememberRefusedRequestIds) remember(this.state, o.requestId);
      this.noteRefused({ by: o.by, outcome: o.action, why: `${verdict.kind}: ${verdict.why}` }, now);
      return { accepted: false, why: verdict.why };
    }
    remember(this.state, o.requestId);
    this.state.pendingOverride = o;
    return { accepted: true, due: OVERRIDE_DUE };
  }

  protected overrideDue(now: number): Step {
    const o = this.state.pendingOverride;
    if (!o) throw new Error('no override is due');
    this.state.pendingOverride = undefined;
    const c = this.cursor(MAIN);
    const escalation = this.state.escalation!;
    return this.tracked(o, escalation.node, () => this.override(c, o, escalation, now));
  }

  protected override(c: Cursor, o: Override, escalation: EscalationRecord, now: number): Step {
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

  /** Runs `apply` and remembers, for `outcomeOf`, the edge it took (the first move it recorded). */
  protected tracked(key: Decision | Override, node: string, apply: () => Step): Step {
    const before = this.state.historyTotal;
    const step = apply();
    const move = this.state.history.find((h) => h.seq > before && h.kind === 'move');
    this.outcomes.set(key, { node, edge: move ? { from: move.node, to: move.to ?? '', condition: move.condition! } : undefined });
    return step;
  }

  protected decide(c: Cursor, node: ResolvedNode, d: Decision, now: number): Step {
    return this.tracked(d, node.key, () => this.decideUntracked(c, node, d, now));
  }

  protected decideUntracked(c: Cursor, node: ResolvedNode, d: Decision, now: number): Step {
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
}
