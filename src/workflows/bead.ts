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
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AppliedPersonDecision, BranchResult, InterpreterState, Step } from '../interpreter';
import { Interpreter, MAIN } from '../interpreter';
import type { Workspace } from '../activities/git/types';
import type { BeadInput } from '../shared/bead';
import { setupCommitNodes } from './commit-node';
import { Effects } from './effects';
import { awaitOverride } from './escalation';
import { startInputProblems } from '../interpreter/start-input';
import { setupDecisionHandlers } from './decision-handlers';
import { stateQuery } from './messages';
import { definitionProblems } from './guards';
import { LedgerSync } from './ledger-sync';
import { Visibility } from './visibility';
import { BeadMetrics } from './metrics';
import { ERROR_TYPES } from '../shared/errors';

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
  const interp = new Interpreter(definition, bead.id, input.resume);
  // Runs recorded before refused decisions stopped burning their requestId replay with the old rule.
  interp.rememberRefusedRequestIds = !patched(DECISION_INTAKE_PATCH);
  interp.hopsCountRedispatches = !patched(MAX_HOPS_TRANSITIONS_PATCH);
  const options = input.options ?? {};
  const commits = setupCommitNodes(bead, options, input.workspace);
  const effects = new Effects(interp, bead, options, commits);
  const visibility = new Visibility(interp, bead);
  const ledger = new LedgerSync(interp, bead, definition, options, input.ledgerSeq ?? (input.resume ? interp.state.historyTotal : 0));

  // Replay-safe counters (the SDK's workflow meter); a continue-as-new run goes on from the seq it was handed.
  const metrics = new BeadMetrics(() => interp.state, definition.id, input.resume ? interp.state.historyTotal : 0);
  if (!input.resume) metrics.started();

  const handlers = setupDecisionHandlers(interp, visibility, {
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
          step = patched(COMMIT_LOCK_PATCH) ? await effects.commit(step) : await effects.turn(step);
          break;
        case 'approval':
          if (step.cursor === MAIN && shouldContinueAsNew()) await continueRun();
          step = await effects.approval(step);
          break;
        case 'backoff':
          step = await effects.backoff(step);
          break;
        case 'escalated':
          step = await awaitOverride(interp, bead, options, step);
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
    await ledger.settle();
    return continueAsNew<typeof beadWorkflow>({
      bead,
      definition,
      options,
      resume: interp.state,
      workspace: commits.workspace,
      ledgerSeq: ledger.coveredSeq,
    });
  }

  let end: Step;
  try {
    await commits.prepareWorkspace();
    end = await run(input.resume ? interp.resume(Date.now()) : interp.begin(Date.now()));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled: the commit node already released the lock on its way out; say so everywhere, then end as cancelled.
    const note = handlers.cancelNote();
    await CancellationScope.nonCancellable(async () => {
      interp.cancel(note?.by ?? 'Temporal', note?.reason ?? 'cancellation requested', Date.now());
      visibility.publish();
      ledger.notify();
      metrics.ended(interp.state.status);
      await ledger.settle();
    });
    throw err;
  }
  visibility.publish();
  metrics.ended(interp.state.status);
  if (commits.workspace?.ref && patched(WORKSPACE_CLEANUP_PATCH)) await commits.cleanup(interp.state.status);
  await condition(allHandlersFinished);
  await ledger.settle();
  const s = interp.state;
  return {
    beadId: bead.id,
    status: s.status,
    reason: end.kind === 'end' ? end.reason : '',
    cycleCount: s.cycleCount,
    dispatchCount: s.dispatchCount,
    ...(bead.parentId && s.lastDecision ? { decision: s.lastDecision } : {}),
  };
}
