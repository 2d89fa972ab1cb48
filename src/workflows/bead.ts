/**
 * beadWorkflow: one generic workflow that interprets any definition. A thin shell: the rules are
 * in src/interpreter (pure); this file wires signals, queries, visibility, forks and
 * continue-as-new around the Steps the interpreter returns.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  isCancellation,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BranchResult, InterpreterState, Step } from '../interpreter';
import { Interpreter, MAIN } from '../interpreter';
import type { BeadInput } from '../shared/bead';
import { Effects } from './effects';
import type { DecisionPayload } from './messages';
import { approveSignal, overrideSignal, rejectSignal, stateQuery } from './messages';
import { definitionProblems } from './guards';
import { Visibility } from './visibility';

export interface BeadWorkflowInput extends BeadInput {
  /** Set by continue-as-new: the interpreter state to resume from. */
  resume?: InterpreterState;
}

export interface BeadResult {
  beadId: string;
  status: InterpreterState['status'];
  reason: string;
  cycleCount: number;
  dispatchCount: number;
}

export async function beadWorkflow(input: BeadWorkflowInput): Promise<BeadResult> {
  const { bead, definition } = input;
  const problems = definitionProblems(definition);
  if (problems.length > 0) {
    // Non-retryable and named: a broken definition must end the run, not wedge a workflow task.
    throw ApplicationFailure.nonRetryable(`definition ${definition?.id ?? '?'} is invalid: ${problems.join('; ')}`, 'InvalidDefinition');
  }
  const interp = new Interpreter(definition, bead.id, input.resume);
  const options = input.options ?? {};
  const effects = new Effects(interp, bead, options);
  const visibility = new Visibility(interp, bead);

  const decide = (approve: boolean) => (payload: DecisionPayload) => {
    const p = (payload ?? {}) as Partial<DecisionPayload>;
    interp.receiveDecision(
      { approve, by: typeof p.by === 'string' ? p.by : '', reason: typeof p.reason === 'string' ? p.reason : '', requestId: p.requestId, node: p.node, source: 'person' },
      Date.now(),
    );
    visibility.publish();
  };
  setHandler(approveSignal, decide(true));
  setHandler(rejectSignal, decide(false));
  setHandler(overrideSignal, (payload) => {
    const p = payload ?? ({} as never);
    interp.receiveOverride({ by: String(p.by ?? ''), action: p.action, node: p.node, reason: p.reason, requestId: p.requestId }, Date.now());
    visibility.publish();
  });
  setHandler(stateQuery, () => visibility.snapshot());

  /** Runs one cursor until it ends (main) or arrives at its merge (branch). */
  async function run(step: Step): Promise<Step> {
    for (;;) {
      visibility.publish();
      switch (step.kind) {
        case 'end':
        case 'arrived':
          return step;
        case 'turn':
        case 'commit':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          step = await effects.turn(step);
          break;
        case 'approval':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          step = await effects.approval(step);
          break;
        case 'backoff':
          step = await effects.backoff(step);
          break;
        case 'escalated':
          await condition(() => !!interp.state.pendingOverride);
          step = interp.applyOverride(Date.now());
          break;
        case 'fork':
          step = await fork(step);
          break;
      }
    }
  }

  async function fork(step: Extract<Step, { kind: 'fork' }>): Promise<Step> {
    const branches = interp.startBranches(step.cursor, Date.now());
    const results: BranchResult[] = [];
    // One scope for all branches, so `wait: first` can cancel the ones still running.
    const scope = new CancellationScope();
    const runs = branches.map((first) =>
      scope
        .run(() => run(first))
        .then((end) => {
          const branch = first.kind === 'end' ? '?' : first.cursor;
          results.push({ branch, failed: end.kind === 'arrived' ? end.failed : true, summary: end.kind === 'end' ? end.reason : '' });
        })
        .catch((err: unknown) => {
          if (!isCancellation(err)) throw err;
        }),
    );
    if (step.wait === 'first') {
      await condition(() => results.length > 0);
      scope.cancel();
    }
    await Promise.all(runs);
    return interp.branchesJoined(step.cursor, results, Date.now());
  }

  function shouldContinueAsNew(): boolean {
    if (interp.state.cursors.length > 1) return false;
    const info = workflowInfo();
    const limit = options.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  }

  async function continueRun(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<typeof beadWorkflow>({ bead, definition, options, resume: interp.state });
  }

  const end = await run(input.resume ? interp.resume(Date.now()) : interp.begin(Date.now()));
  visibility.publish();
  await condition(allHandlersFinished);
  const s = interp.state;
  return { beadId: bead.id, status: s.status, reason: end.kind === 'end' ? end.reason : '', cycleCount: s.cycleCount, dispatchCount: s.dispatchCount };
}
