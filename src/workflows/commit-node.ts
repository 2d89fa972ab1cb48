/**
 * Commit nodes, bead side. A commit takes the repository's lock (signal-with-start of the
 * `commitLock` workflow through an activity; the grant or refusal comes back as a signal to this
 * bead), runs the git work holding it, and releases it on every path: success, failure, node
 * deadline, cancellation. The release runs in a non-cancellable scope so a cancelled bead still
 * frees the lock. A bead without a repository commits nothing and needs no lock.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommitActivities, CommitWorkResult, ConflictReport, Workspace } from '../activities/git/types';
import type { ResolvedNode } from '../dsl/types';
import { CONFLICT_RESOLVE_PATCH, runResolution } from './conflict-resolution';
import type { Step } from '../interpreter';
import { afterTurn } from './bead-workspace';
import type { AgentTurnResult } from '../shared/agent';
import type { Bead } from '../shared/bead';
import type { CompiledRunOptions } from '../shared/run-options';
import { cleanupWorkspaceOptions, gitOptions, lockBookkeepingOptions, prepareWorkspaceOptions } from './activity-options';
import type { LockGrant, LockRefusal, LockRelease } from '../shared/commit-lock';
import { LOCK_DEFAULTS } from '../shared/commit-lock';
import { ERROR_TYPES } from '../shared/errors';
import { lockGrantedSignal, lockRefusedSignal, releaseLockSignal } from './commit-lock-messages';
import { innermostMessage, remainingMs, waitUntil } from './waits';
import { METRICS } from '../shared/metrics';
import { recordSeconds } from './metrics';
import { hasPatch } from './patches';

export const NO_REPOSITORY = 'no repository: nothing committed';
/** commitWork releases the lock itself: one workflow task fewer per hand-off. */
export const RELEASE_IN_COMMIT_PATCH = 'lock-release-in-commit';

export type CommitOutcome =
  | { kind: 'done'; result: AgentTurnResult; conflict?: ConflictReport }
  | { kind: 'timeout' }
  /** `on_conflict: resolve` and every resolution failed: the bead escalates naming the files. */
  | { kind: 'conflict'; result: AgentTurnResult; files: string[] };

type CommitStep = Extract<Step, { kind: 'commit' }>;
type Answer = { grant: LockGrant } | { refusal: LockRefusal };

export class CommitNodes {
  /** Grants and refusals that arrived, by request id. */
  private readonly answers = new Map<string, Answer>();
  /** Requests this bead still waits on; a grant for any other is released at once. */
  private readonly waiting = new Set<string>();

  constructor(
    private readonly bead: Bead,
    private readonly options: CompiledRunOptions,
    private resolved?: Workspace,
  ) {}

  /** The bead's worktree and branch; set by prepareWorkspace when the bead has a repository. */
  get workspace(): Workspace | undefined {
    return this.resolved;
  }

  /** Records the commit a turn left the bead's work at (the next turn starts from it). */
  recordTurn(result: AgentTurnResult): void {
    this.resolved = afterTurn(this.resolved, result);
  }

  /**
   * At the bead's end: removes the workflow host's worktree and, when the bead completed, its ref
   * (a failed bead's are kept for a look until `beadflow gc`). Best effort: a failure is logged.
   */
  async cleanup(status: string): Promise<void> {
    const ws = this.resolved;
    if (!ws?.ref || status !== 'completed') return;
    const { cleanupWorkspace } = proxyActivities<CommitActivities>(cleanupWorkspaceOptions(this.taskQueue));
    try {
      await cleanupWorkspace({ beadId: this.bead.id, workspace: ws, status });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn(`could not remove bead ${this.bead.id}'s ref and worktree: ${innermostMessage(err)} (\`beadflow gc\` removes them later)`);
    }
  }

  /** Registers the lock's answer signals; call once at bead start, before any await. */
  register(): void {
    setHandler(lockGrantedSignal, (grant) => {
      if (this.waiting.has(grant.requestId)) this.answers.set(grant.requestId, { grant });
      else void this.release(grant.lockId, { requestId: grant.requestId, token: grant.token, reason: 'no longer wanted' });
    });
    setHandler(lockRefusedSignal, (refusal) => {
      if (this.waiting.has(refusal.requestId)) this.answers.set(refusal.requestId, { refusal });
    });
  }

  /** Creates (or finds) the bead's branch and worktree before its first agent turn. */
  async prepareWorkspace(): Promise<Workspace | undefined> {
    if (!this.bead.repo || this.resolved) return this.resolved;
    const { prepareWorkspace } = proxyActivities<CommitActivities>(prepareWorkspaceOptions(this.taskQueue));
    try {
      this.resolved = await prepareWorkspace({ beadId: this.bead.id, repo: this.bead.repo, targetBranch: this.bead.targetBranch });
    } catch (err) {
      if (isCancellation(err)) throw err;
      throw ApplicationFailure.nonRetryable(
        `bead ${this.bead.id}: cannot prepare its worktree of ${this.bead.repo}: ${innermostMessage(err)}`,
        ERROR_TYPES.workspaceUnavailable,
      );
    }
    return this.resolved;
  }

  /**
   * Runs one commit step under the node's deadline (epoch ms, 0 = none). The lease is
   * RunOptions.lock.leaseMs when set (an operator's or test's override), else the node's.
   * With `on_conflict: resolve`, a conflict gets resolution turns and retries (resolveAndRetry).
   */
  async run(step: CommitStep): Promise<CommitOutcome> {
    const { leaseMs: nodeLeaseMs, onConflict, roleWaitMs } = step;
    const first = await this.once(step, nodeLeaseMs);
    if (!onConflict || first.kind !== 'done' || !first.conflict || !hasPatch(CONFLICT_RESOLVE_PATCH)) return first;
    return this.resolveAndRetry(step, nodeLeaseMs, { ...onConflict, roleWaitMs }, first.conflict);
  }

  /**
   * Lock decision: the resolution turn runs with the lock *released*. An agent turn takes minutes
   * (an hour at worst); holding the repository's lock that long would stall every other bead's
   * commit and need the lease renewed across an activity on another host. Released, the lock's
   * holds stay git-only. Sound because the turn writes only the bead's ref (leased on the recorded
   * commit) and the retry takes the lock again with a fresh fencing token. The cost: the target may
   * move meanwhile, so the retry can conflict again; that counts as a failed resolution.
   */
  private async resolveAndRetry(
    step: CommitStep,
    nodeLeaseMs: number | undefined,
    onConflict: NonNullable<ResolvedNode['onConflict']> & { roleWaitMs?: number },
    conflict: ConflictReport,
  ): Promise<CommitOutcome> {
    let files = conflict.files;
    const failures: string[] = [];
    for (let round = 1; round <= onConflict.maxResolutions; round++) {
      const ws = this.resolved!;
      const turn = await runResolution(
        {
          beadId: this.bead.id,
          bead: {
            title: this.bead.title,
            description: this.bead.description,
            type: this.bead.type,
            priority: this.bead.priority,
            labels: this.bead.labels,
          },
          node: step.node,
          role: onConflict.role,
          round,
          maxRounds: onConflict.maxResolutions,
          workspace: { upstream: ws.upstream, ref: ws.ref!, head: ws.head! },
          targetBranch: ws.targetBranch,
          ...(this.bead.scenario ? { scenario: this.bead.scenario } : {}),
        },
        this.bead,
        this.options,
        { deadline: step.deadline, roleWaitMs: onConflict.roleWaitMs, cursor: step.cursor },
      );
      if (turn.kind === 'timeout') return turn;
      if (turn.turn.files.length) files = turn.turn.files;
      if (!turn.turn.resolved) {
        failures.push(turn.turn.summary);
        continue;
      }
      this.resolved = { ...ws, head: turn.turn.head };
      const retry = await this.once(step, nodeLeaseMs);
      if (retry.kind !== 'done' || !retry.conflict) {
        if (retry.kind !== 'done') return retry;
        const by = `after ${round} conflict resolution(s) by ${turn.turn.agent}`;
        return { kind: 'done', result: { ...retry.result, summary: `${retry.result.summary} (${by})` } };
      }
      files = retry.conflict.files;
      failures.push(`resolution ${round} was not enough: ${ws.targetBranch} moved on and conflicts again in ${files.join(', ')}`);
    }
    const summary =
      `the bead's work conflicts with ${conflict.targetBranch} in ${files.join(', ')}: ${failures.length} resolution(s) failed ` +
      `(max_resolutions ${onConflict.maxResolutions}); last: ${failures.at(-1) ?? 'none ran'}`;
    return { kind: 'conflict', files, result: { outcome: 'failure', summary, agent: 'git' } };
  }

  private async once(step: CommitStep, nodeLeaseMs?: number): Promise<CommitOutcome> {
    const deadline = step.deadline;
    const ws = this.resolved;
    if (!this.bead.repo || !ws) return done({ outcome: 'success', summary: NO_REPOSITORY, agent: 'beadflow' });
    const requestId = uuid4();
    const leaseMs = this.options.lock?.leaseMs ?? nodeLeaseMs ?? LOCK_DEFAULTS.leaseMs;
    const release: LockRelease = { requestId, reason: 'withdrawn' };
    let commit: Promise<unknown> | undefined;
    let refused = false;
    let releasedByCommit = false;
    const asked = Date.now();
    let grantedAt: number | undefined;
    let held = 'error';
    this.waiting.add(requestId);
    try {
      await this.lockActivities().requestCommitLock({
        lockId: ws.lockId,
        upstream: ws.upstream,
        taskQueue: this.taskQueue,
        request: {
          requestId,
          beadId: this.bead.id,
          workflowId: workflowInfo().workflowId,
          runId: workflowInfo().runId,
          node: step.node,
          priority: this.bead.priority,
          leaseMs,
          capacity: this.options.lock?.capacity,
        },
        config: {
          capacity: this.options.lock?.capacity,
          holderCheckMs: this.options.lock?.holderCheckMs,
          continueAsNewAfterEvents: this.options.lock?.continueAsNewAfterEvents,
        },
      });
      if (!(await waitUntil(() => this.answers.has(requestId), remainingMs(deadline)))) {
        recordSeconds(METRICS.commitLockWaitSeconds, Date.now() - asked, { outcome: 'timeout' });
        return { kind: 'timeout' };
      }
      const answer = this.answers.get(requestId)!;
      recordSeconds(METRICS.commitLockWaitSeconds, Date.now() - asked, { outcome: 'refusal' in answer ? 'refused' : 'granted' });
      if ('refusal' in answer) {
        refused = true;
        return done({ outcome: 'failure', summary: `commit lock refused: ${answer.refusal.reason}`, agent: 'commit-lock' });
      }
      const { grant } = answer;
      grantedAt = Date.now();
      Object.assign(release, { token: grant.token, reason: 'done' });
      let settled: { value: CommitWorkResult } | { error: unknown } | undefined;
      const scope = new CancellationScope();
      commit = scope
        .run(() =>
          this.gitActivities(deadline).commitWork({
            beadId: this.bead.id,
            title: this.bead.title,
            node: step.node,
            workspace: ws,
            requestId,
            token: grant.token,
            leaseMs: grant.leaseMs,
            ...(hasPatch(RELEASE_IN_COMMIT_PATCH) ? { releaseLock: true } : {}),
          }),
        )
        .then(
          (value) => (settled = { value }),
          (error: unknown) => (settled = { error }),
        );
      if (!(await waitUntil(() => settled !== undefined, remainingMs(deadline)))) {
        release.reason = 'node timed out';
        held = 'timeout';
        scope.cancel();
        return { kind: 'timeout' };
      }
      const result = settled!;
      if ('error' in result) throw result.error;
      releasedByCommit = result.value.lockReleased === true;
      release.reason = result.value.outcome === 'success' ? 'done' : 'failed';
      held = result.value.outcome;
      // The next landing of this bead squashes only what comes after this one.
      if (result.value.outcome === 'success' && ws.ref && this.resolved) this.resolved = { ...this.resolved, landed: ws.head };
      const note = grant.note ? ` (note: ${grant.note})` : '';
      const finished: AgentTurnResult = {
        outcome: result.value.outcome,
        summary: `${result.value.summary}${note}`,
        agent: result.value.agent,
      };
      return result.value.conflict ? { kind: 'done', result: finished, conflict: result.value.conflict } : done(finished);
    } finally {
      this.waiting.delete(requestId);
      this.answers.delete(requestId);
      if (!refused && !releasedByCommit) {
        // Runs even when the bead is being cancelled: wait for the git work to stop, then free the lock.
        await CancellationScope.nonCancellable(async () => {
          await commit?.catch(() => undefined);
          await this.release(ws.lockId, release);
        });
      }
      if (grantedAt !== undefined) recordSeconds(METRICS.commitLockHoldSeconds, Date.now() - grantedAt, { outcome: held });
    }
  }

  private async release(lockId: string, rel: LockRelease): Promise<void> {
    try {
      await getExternalWorkflowHandle(lockId).signal(releaseLockSignal, rel);
    } catch (err) {
      log.warn(`could not release the commit lock ${lockId}: ${innermostMessage(err)}`, { requestId: rel.requestId });
    }
  }

  private get taskQueue(): string {
    return this.options.workflowTaskQueue ?? workflowInfo().taskQueue;
  }

  private lockActivities(): CommitActivities {
    return proxyActivities<CommitActivities>(lockBookkeepingOptions(this.taskQueue));
  }

  private gitActivities(deadline: number): CommitActivities {
    return proxyActivities<CommitActivities>(gitOptions(this.taskQueue, deadline));
  }
}

/** Creates the bead's commit side and registers its signal handlers (call at bead start). */
export function setupCommitNodes(bead: Bead, options: CompiledRunOptions, workspace?: Workspace): CommitNodes {
  const nodes = new CommitNodes(bead, options, workspace);
  nodes.register();
  return nodes;
}

function done(result: AgentTurnResult): CommitOutcome {
  return { kind: 'done', result };
}
