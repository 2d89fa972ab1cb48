/**
 * approve / reject / override, each as a signal and as an Update of the same name. Payloads go
 * through the intake (shape and size) first, then the interpreter's judgement. A signal's refusal
 * is recorded, bounded, in the bead's history; an Update's validator refuses with the reason and
 * writes nothing; an accepted Update answers once the decision has been applied.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { Decision, Interpreter, Override } from '../interpreter';
import { readCancel, readDecision, readOverride, type Intake } from '../interpreter/intake';
import type { DecisionResult, OverridePayload } from './messages';
import {
  DECISION_REFUSED,
  approveSignal,
  approveUpdate,
  cancelSignal,
  overrideSignal,
  overrideUpdate,
  rejectSignal,
  rejectUpdate,
} from './messages';
import type { Visibility } from './visibility';
import type { Inbox } from './inbox';

export interface DecisionHandlerHooks {
  /** After every accepted or recorded message: publish search attributes, wake the ledger. */
  changed(): void;
}

/** Who cancelled and why, once the cancel signal arrived (Temporal's cancellation itself carries neither). */
export interface CancelNote {
  by: string;
  reason: string;
}

const SIGNAL_INTAKE = { refuseLongReason: false };
const UPDATE_INTAKE = { refuseLongReason: true };

function refused(why: string, hint?: string): ApplicationFailure {
  return ApplicationFailure.create({ type: DECISION_REFUSED, nonRetryable: true, message: hint ? `${why}; ${hint}` : why });
}

/** The intake's value, or the refusal an Update's validator throws. */
function admitted<T>(intake: Intake<T>): T {
  if (!intake.ok) throw refused(intake.why, intake.hint);
  return intake.value;
}

export function setupDecisionHandlers(
  interp: Interpreter,
  visibility: Visibility,
  inbox: Inbox,
  hooks: DecisionHandlerHooks,
): { cancelNote: () => CancelNote | undefined } {
  let cancelNote: CancelNote | undefined;

  const decisionSignal = (approve: boolean) => (raw: unknown) => {
    const intake = readDecision(raw, approve, SIGNAL_INTAKE);
    const at = Date.now();
    if (intake.ok) inbox.add(interp.receive({ type: 'decision', decision: intake.value, at }).due);
    else
      interp.receive({ type: 'refused', ...intake.shown, outcome: approve ? 'approved' : 'rejected', why: `refused: ${intake.why}`, at });
    hooks.changed();
  };
  setHandler(approveSignal, decisionSignal(true));
  setHandler(rejectSignal, decisionSignal(false));
  setHandler(overrideSignal, (raw: OverridePayload) => {
    const intake = readOverride(raw, SIGNAL_INTAKE);
    const at = Date.now();
    if (intake.ok) inbox.add(interp.receive({ type: 'override', override: intake.value, at }).due);
    else interp.receive({ type: 'refused', ...intake.shown, outcome: 'override', why: `refused: ${intake.why}`, at });
    hooks.changed();
  });
  setHandler(cancelSignal, (raw) => {
    cancelNote = readCancel(raw);
  });

  /** Waits until the accepted decision was applied (or dropped) and answers with the edge and the state. */
  async function answer(key: Decision | Override, decision: DecisionResult['decision']): Promise<DecisionResult> {
    await condition(() => interp.outcomeOf(key) !== undefined);
    const outcome = interp.outcomeOf(key)!;
    if (outcome.dropped)
      throw refused(`accepted but not applied: ${outcome.dropped}`, 'check `beadflow status` for what the bead did instead');
    const state = visibility.snapshot();
    return {
      beadId: state.beadId,
      node: outcome.node,
      decision,
      edge: outcome.edge,
      status: state.status,
      currentNode: state.currentNode,
      state,
    };
  }

  const decisionUpdate = (approve: boolean) => ({
    validator: (raw: unknown) => {
      const verdict = interp.judge({ decision: admitted(readDecision(raw, approve, UPDATE_INTAKE)) });
      if (!verdict.ok) throw refused(verdict.why, 'see `beadflow status <bead>` for who must decide what');
    },
    handler: async (raw: unknown): Promise<DecisionResult> => {
      const d = admitted(readDecision(raw, approve, UPDATE_INTAKE));
      const received = interp.receive({ type: 'decision', decision: d, at: Date.now() });
      inbox.add(received.due);
      hooks.changed();
      if (!received.accepted) throw refused(received.why ?? 'refused');
      return answer(d, approve ? 'approved' : 'rejected');
    },
  });
  for (const [def, approve] of [
    [approveUpdate, true],
    [rejectUpdate, false],
  ] as const) {
    const { validator, handler } = decisionUpdate(approve);
    setHandler(def, handler, {
      validator,
      description: approve ? 'Approve the waiting approval node' : 'Reject the waiting approval node',
    });
  }
  setHandler(
    overrideUpdate,
    async (raw: OverridePayload) => {
      const o = admitted(readOverride(raw, UPDATE_INTAKE));
      const received = interp.receive({ type: 'override', override: o, at: Date.now() });
      inbox.add(received.due);
      hooks.changed();
      if (!received.accepted) throw refused(received.why ?? 'refused');
      return answer(o, o.action);
    },
    {
      validator: (raw: OverridePayload) => {
        const verdict = interp.judge({ override: admitted(readOverride(raw, UPDATE_INTAKE)) });
        if (!verdict.ok) throw refused(verdict.why, 'overrides apply to escalated beads only, by the CEO');
      },
      description: 'CEO override of an escalated bead: retry, goto, continue or abort',
    },
  );

  return { cancelNote: () => cancelNote };
}
