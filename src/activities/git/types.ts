/** Signatures of the git and commit-lock activities, imported by workflow code as types only. */
import type { AgentTurnResult } from '../../shared/agent';
import type { LockRequest } from '../../shared/commit-lock';
import type { ConflictHunk } from './conflict-hunks';

/**
 * A bead's work in git: a ref on the remote (`refs/beadflow/<bead>`) and the commit the workflow
 * recorded last (`head`). Any host that runs one of the bead's activities makes its own clone
 * and worktree from these, so no two hosts need to share a disk.
 */
export interface Workspace {
  /** Where the bead's work lives on the remote: `refs/beadflow/<bead>`. Absent in runs started by older workers. */
  ref?: string;
  /** The commit the bead's work is at, as the workflow recorded it (the ref's expected value). */
  head?: string;
  /** The target's tip when the bead started: what the bead's work branches from. */
  base?: string;
  /** The bead's commit that its last successful commit node landed: the next landing squashes only what came after it. */
  landed?: string;
  /** Older runs: the worktree path on the one host that prepared it. */
  worktree?: string;
  /** Older runs: `beadflow/<beadId>`; new runs: the ref. */
  branch: string;
  /** Where commits land (bead.targetBranch, else the remote's HEAD branch, else main). */
  targetBranch: string;
  /** The repository pushes go to: a bare repository, a clone's origin, or a URL. */
  upstream: string;
  /** Workflow id of the repository's commit lock. */
  lockId: string;
}

export type { TurnWorkspace } from '../../shared/agent';

export interface PrepareWorkspaceInput {
  beadId: string;
  repo: string;
  targetBranch?: string;
}

export interface RequestLockInput {
  lockId: string;
  upstream: string;
  /** Task queue the lock workflow runs on when this request starts it. */
  taskQueue: string;
  request: LockRequest;
  config: { capacity?: number; holderCheckMs?: number; continueAsNewAfterEvents?: number };
}

export interface CommitWorkInput {
  beadId: string;
  title: string;
  node: string;
  workspace: Workspace;
  requestId: string;
  token: number;
  leaseMs: number;
  /**
   * Release the lock from here once the git work has an answer, so the next holder is granted
   * without waiting for this bead's next workflow task. The bead releases only when this did not.
   */
  releaseLock?: boolean;
}

export interface CommitWorkResult extends AgentTurnResult {
  pushed: boolean;
  /** The activity released the lock itself (CommitWorkInput.releaseLock). */
  lockReleased?: boolean;
  sha?: string;
  conflicts?: string[];
  /** The squash conflicted: the files and both sides, for a resolution turn and the escalation. */
  conflict?: ConflictReport;
}

/** A conflict between the bead's work and the target, as the commit found it. */
export interface ConflictReport {
  files: string[];
  targetBranch: string;
  /** The target's tip the bead's work was squashed onto. */
  targetSha: string;
  hunks: ConflictHunk[];
  /** Hunks left out by the size limits. */
  omitted: number;
}

export interface WorkflowStatusInput {
  workflowId: string;
  runId?: string;
}

export interface CleanupWorkspaceInput {
  beadId: string;
  workspace: Workspace;
  /** The bead's final status; only a completed bead's ref is deleted (others are kept for a look, until `beadflow gc`). */
  status: string;
}

export interface CommitActivities {
  /** Creates (or finds) the bead's ref on the remote; runs once at bead start when it has a repository. */
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<Workspace>;
  /** Signal-with-start of the repository's lock workflow: queues the request (the answer comes as a signal). */
  requestCommitLock(input: RequestLockInput): Promise<void>;
  /** Holding the lock: squash the bead's work onto the target, check the fencing token, push. */
  commitWork(input: CommitWorkInput): Promise<CommitWorkResult>;
  /** The lock asks whether its holder's workflow still runs: RUNNING, TERMINATED, ..., or NOT_FOUND. */
  workflowStatus(input: WorkflowStatusInput): Promise<string>;
  /** At the bead's end: removes this host's worktree, and the remote ref of a completed bead. */
  cleanupWorkspace(input: CleanupWorkspaceInput): Promise<{ removed: string[] }>;
}
