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
import type { AppliedPersonDecision, BranchResult, InterpreterState, Step } from '../interpreter';
import { Interpreter, MAIN } from '../interpreter';
import { compileRunOptions } from '../shared/run-options';
import { Inbox } from './inbox';
import type { Workspace } from '../activities/git/types';
import type { BeadInput } from '../shared/bead';
import { setupCommitNodes } from './commit-node';
import { Effects } from './effects';
import { awaitOverride } from './escalation';
import { runSubworkflow } from './subworkflow';
import { startInputProblems } from '../interpreter/start-input';
import { setupDecisionHandlers } from './decision-handlers';
import { stateQuery } from './messages';
import { definitionProblems } from './guards';
import { LedgerSync } from './ledger-sync';
import { Visibility } from './visibility';
import { BeadMetrics } from './metrics';
import { ERROR_TYPES } from '../shared/errors';
import { hasPatch } from './patches';

export interface BeadWorkflowInput extends BeadInput {
  /** Set by continue-as-new: the interpreter state to resume from. */
  resume?: InterpreterState;
  /** Set by continue-as-new: the bead's git worktree and branch (prepared once, at the first run). */
  workspace?: Workspace;
  /** Set by continue-as-new: history seq the previous run already sent to the ledger (or handed off). */
  ledgerSeq?: number;
}

const COMMIT_LOCK_PATCH = 'commit-lock';
const DECISION_INTAKE_PATCH = 'decision-intake';
const MAX_HOPS_TRANSITIONS_PATCH = 'max-hops-transitions';
/** Guards (`when:`, step `condition:`) skip nodes; asked only for definitions that have one, so other runs' histories keep no marker. */
const STEP_CONDITIONS_PATCH = 'step-conditions';
/** Error type of a start input that cannot run (null, no bead id, a malformed definition or resume state). */
export const INVALID_BEAD_INPUT = ERROR_TYPES.invalidBeadInput;

/** Runs a check that must not throw inside a workflow task: a crash in it counts as a problem. */
function checked(check: () => string[]): string[] {
  try {
    return check();
  } catch (err) {
    return [`the input could not be checked (${err instanceof Error ? err.message : String(err)})`];
  }
}
/** Runs recorded before beads removed their ref and worktree at the end schedule no clean-up activity. */
const WORKSPACE_CLEANUP_PATCH = 'workspace-cleanup';

export interface BeadResult {
  beadId: string;
  status: InterpreterState['status'];
  reason: string;
  cycleCount: number;
  dispatchCount: number;
  /** CEO-decision beads: the decision their parent applies. */
  decision?: AppliedPersonDecision;
}

export async function beadWorkflow(input: BeadWorkflowInput): Promise<BeadResult> {
  const inputProblems = checked(() => startInputProblems(input));
  if (inputProblems.length > 0) {
    throw ApplicationFailure.create({
      type: INVALID_BEAD_INPUT,
      nonRetryable: true,
      message: `the bead's start input is invalid: ${inputProblems.slice(0, 5).join('; ')}; start beads with \`beadflow bead start\` or pass {bead, definition} as \`beadflow bead start --json\` prints it`,
    });
  }
  const { bead, definition } = input;
  const problems = checked(() => definitionProblems(definition));
  if (problems.length > 0) {
    // Non-retryable and named: a broken definition must end the run, not wedge a workflow task.
    throw ApplicationFailure.nonRetryable(
      `definition ${definition?.id ?? '?'} is invalid: ${problems.join('; ')}`,
      ERROR_TYPES.invalidDefinition,
    );
  }
  const interp = new Interpreter(definition, bead, input.resume, {
    // Runs recorded before refused decisions stopped burning their requestId replay with the old rule.
    rememberRefusedRequestIds: !hasPatch(DECISION_INTAKE_PATCH),
    hopsCountRedispatches: !hasPatch(MAX_HOPS_TRANSITIONS_PATCH),
    stepConditions: definition.nodes.some((n) => n.guard) && hasPatch(STEP_CONDITIONS_PATCH),
  });
  const options = compileRunOptions(input.options);
  const inbox = new Inbox();
  const commits = setupCommitNodes(bead, options, input.workspace);
  const effects = new Effects(interp, bead, options, inbox, commits);
  const visibility = new Visibility(interp, bead);
  const resumedSeq = input.resume?.historyTotal ?? 0;
  const ledger = new LedgerSync(interp, bead, definition, options, input.ledgerSeq ?? resumedSeq);

  // Replay-safe counters (the SDK's workflow meter); a continue-as-new run goes on from the seq it was handed.
  const metrics = new BeadMetrics(() => interp.checkpoint(), definition.id, resumedSeq);
  if (!input.resume) metrics.started();

  const handlers = setupDecisionHandlers(interp, visibility, inbox, {
    changed: () => {
      visibility.publish();
      ledger.notify();
    },
  });
  setHandler(stateQuery, () => visibility.snapshot());

  /** Runs one cursor until it ends (main) or arrives at its merge (branch). */
  async function run(step: Step): Promise<Step> {
    for (;;) {
      visibility.publish();
      ledger.notify();
      metrics.observe();
      switch (step.kind) {
        case 'end':
        case 'arrived':
          return step;
        case 'turn':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          step = await effects.turn(step);
          break;
        case 'commit':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          // Runs recorded before the commit lock ran commits as agent turns: replay them that way.
          step = hasPatch(COMMIT_LOCK_PATCH) ? await effects.commit(step) : await effects.turn(step);
          break;
        case 'approval':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          step = await effects.approval(step);
          break;
        case 'backoff':
          ledger.flush();
          step = await effects.backoff(step);
          break;
        case 'escalated':
          step = await awaitOverride(interp, bead, options, inbox, step);
          break;
        case 'subworkflow':
          step = await runSubworkflow(interp, input.options, step);
          break;
        case 'fork':
          step = await fork(step);
          break;
      }
    }
  }

  /** Forks whose branches are running: a run continues as new only when there are none. */
  let forksOpen = 0;

  async function fork(step: Extract<Step, { kind: 'fork' }>): Promise<Step> {
    const started = interp.apply({ type: 'fork', cursor: step.cursor, at: Date.now() });
    const branches = started.kind === 'branches' ? started.steps : [];
    const results: BranchResult[] = [];
    forksOpen++;
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
    forksOpen--;
    return interp.apply({ type: 'joined', cursor: step.cursor, results, at: Date.now() });
  }

  function shouldContinueAsNew(): boolean {
    if (forksOpen > 0) return false;
    const info = workflowInfo();
    const limit = options.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  }

  async function continueRun(): Promise<never> {
    await condition(allHandlersFinished);
    await ledger.settle();
    return continueAsNew<typeof beadWorkflow>({
      bead,
      definition,
      // The options as given: each run compiles its own.
      options: input.options,
      resume: interp.checkpoint(),
      workspace: commits.workspace,
      ledgerSeq: ledger.coveredSeq,
    });
  }

  let end: Step;
  try {
    await commits.prepareWorkspace();
    end = await run(interp.apply({ type: input.resume ? 'resume' : 'begin', at: Date.now() }));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled: the commit node already released the lock on its way out; say so everywhere, then end as cancelled.
    const note = handlers.cancelNote();
    await CancellationScope.nonCancellable(async () => {
      const cancelled = interp.apply({
        type: 'cancelled',
        by: note?.by ?? 'Temporal',
        reason: note?.reason ?? 'cancellation requested',
        at: Date.now(),
      });
      visibility.publish();
      ledger.notify();
      metrics.ended(cancelled.kind === 'end' ? cancelled.status : interp.summary().status);
      await ledger.settle();
    });
    throw err;
  }
  visibility.publish();
  const s = interp.summary();
  metrics.ended(s.status);
  if (commits.workspace?.ref && hasPatch(WORKSPACE_CLEANUP_PATCH)) await commits.cleanup(s.status);
  await condition(allHandlersFinished);
  await ledger.settle();
  return {
    beadId: bead.id,
    status: s.status,
    reason: end.kind === 'end' ? end.reason : '',
    cycleCount: s.cycleCount,
    dispatchCount: s.dispatchCount,
    ...(bead.parentId && s.lastDecision ? { decision: s.lastDecision } : {}),
  };
}
