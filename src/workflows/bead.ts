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
import type { BranchResult, InterpreterState, Step } from '../interpreter';
import { Interpreter, MAIN } from '../interpreter';
import type { Workspace } from '../activities/git/types';
import type { BeadInput } from '../shared/bead';
import { setupCommitNodes } from './commit-node';
import { Effects } from './effects';
import { awaitOverride } from './escalation';
import type { DecisionPayload } from './messages';
import { approveSignal, overrideSignal, rejectSignal, stateQuery } from './messages';
import { definitionProblems } from './guards';
import { LedgerSync } from './ledger-sync';
import { Visibility } from './visibility';

export interface BeadWorkflowInput extends BeadInput {
  /** Set by continue-as-new: the interpreter state to resume from. */
  resume?: InterpreterState;
  /** Set by continue-as-new: the bead's git worktree and branch (prepared once, at the first run). */
  workspace?: Workspace;
  /** Set by continue-as-new: history seq the previous run already sent to the ledger (or handed off). */
  ledgerSeq?: number;
}

const COMMIT_LOCK_PATCH = 'commit-lock';
/** Runs recorded before beads removed their ref and worktree at the end schedule no clean-up activity. */
const WORKSPACE_CLEANUP_PATCH = 'workspace-cleanup';

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
  const commits = setupCommitNodes(bead, options, input.workspace);
  const effects = new Effects(interp, bead, options, commits);
  const visibility = new Visibility(interp, bead);
  const ledger = new LedgerSync(interp, bead, definition, options, input.ledgerSeq ?? (input.resume ? interp.state.historyTotal : 0));

  const decide = (approve: boolean) => (payload: DecisionPayload) => {
    const p = (payload ?? {}) as Partial<DecisionPayload>;
    interp.receiveDecision(
      { approve, by: typeof p.by === 'string' ? p.by : '', reason: typeof p.reason === 'string' ? p.reason : '', requestId: p.requestId, node: p.node, source: 'person' },
      Date.now(),
    );
    visibility.publish();
    ledger.notify();
  };
  setHandler(approveSignal, decide(true));
  setHandler(rejectSignal, decide(false));
  setHandler(overrideSignal, (payload) => {
    const p = payload ?? ({} as never);
    interp.receiveOverride({ by: String(p.by ?? ''), action: p.action, node: p.node, reason: p.reason, requestId: p.requestId }, Date.now());
    visibility.publish();
    ledger.notify();
  });
  setHandler(stateQuery, () => visibility.snapshot());

  /** Runs one cursor until it ends (main) or arrives at its merge (branch). */
  async function run(step: Step): Promise<Step> {
    for (;;) {
      visibility.publish();
      ledger.notify();
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
    return continueAsNew<typeof beadWorkflow>({ bead, definition, options, resume: interp.state, workspace: commits.workspace, ledgerSeq: ledger.coveredSeq });
  }

  await commits.prepareWorkspace();
  const end = await run(input.resume ? interp.resume(Date.now()) : interp.begin(Date.now()));
  visibility.publish();
  if (commits.workspace?.ref && patched(WORKSPACE_CLEANUP_PATCH)) await commits.cleanup(interp.state.status);
  await condition(allHandlersFinished);
  await ledger.settle();
  const s = interp.state;
  return { beadId: bead.id, status: s.status, reason: end.kind === 'end' ? end.reason : '', cycleCount: s.cycleCount, dispatchCount: s.dispatchCount };
}
