/** Signatures of the git and commit-lock activities, imported by workflow code as types only. */
import type { AgentTurnResult } from '../../shared/agent';
import type { LockRequest } from '../../shared/commit-lock';

/** A bead's place to work: its own branch and worktree of a beadflow-owned clone of the repository. */
export interface Workspace {
  worktree: string;
  /** `beadflow/<beadId>` */
  branch: string;
  /** Where commits land (bead.targetBranch, else the remote's HEAD branch, else main). */
  targetBranch: string;
  /** The repository pushes go to: a bare repository, a clone's origin, or a URL. */
  upstream: string;
  /** Workflow id of the repository's commit lock. */
  lockId: string;
}

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
}

export interface CommitWorkResult extends AgentTurnResult {
  pushed: boolean;
  sha?: string;
  conflicts?: string[];
}

export interface WorkflowStatusInput {
  workflowId: string;
  runId?: string;
}

export interface CommitActivities {
  /** Creates (or finds) the bead's branch and worktree; runs once at bead start when it has a repository. */
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<Workspace>;
  /** Signal-with-start of the repository's lock workflow: queues the request (the answer comes as a signal). */
  requestCommitLock(input: RequestLockInput): Promise<void>;
  /** Holding the lock: commit, fetch, rebase, check the fencing token, push. */
  commitWork(input: CommitWorkInput): Promise<CommitWorkResult>;
  /** The lock asks whether its holder's workflow still runs: RUNNING, TERMINATED, ..., or NOT_FOUND. */
  workflowStatus(input: WorkflowStatusInput): Promise<string>;
}
