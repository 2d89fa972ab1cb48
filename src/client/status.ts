/**
 * What a bead's status is, from whichever source answers: the `state` query when a worker answers
 * it in time, else the search attributes (the CLI adds the ledger's record). A run Temporal closed
 * without the workflow's say (terminated, timed out, failed at start) shows Temporal's word,
 * never a stale `running`.
 */
import type { Client } from '@temporalio/client';

import { BEAD_STATUS, CURRENT_NODE, REQUIRED_ROLE } from '../shared/search-attributes';
import type { BeadState } from '../workflows/messages';
import { stateQuery } from '../workflows/messages';
import type { BeadRun } from './beads';
import { ANSWER_DEADLINE_MS, beadRun } from './beads';
import { GRPC_STATUS, grpcCodeOf } from './grpc';
import { rolesWithoutWorker, workflowPollers } from './pollers';
import { agentRoles, runStartInput } from './run-input';

const OPEN_STATUSES = new Set(['running', 'waiting_approval', 'escalated']);

/** The bead's own status unless Temporal closed the run under it. */
export function effectiveStatus(beadStatus: string | undefined, executionStatus: string): string {
  const closedByTemporal = ['TERMINATED', 'TIMED_OUT', 'FAILED', 'CANCELLED'].includes(executionStatus);
  if (!beadStatus || (closedByTemporal && OPEN_STATUSES.has(beadStatus))) return executionStatus.toLowerCase();
  return beadStatus;
}

export interface PublishedStatus {
  source: 'search-attributes';
  beadId: string;
  status: string;
  currentNode: string;
  requiredRole: string;
  executionStatus: string;
  /** Nobody polls the workflow task queue (`no-worker`), or a listed poller did not answer in time (`no-answer`). */
  why: 'no-worker' | 'no-answer';
  taskQueue: string;
  /** Roles of the bead's agent turns whose task queue nobody polls (open runs only). */
  rolesWithoutWorker: string[];
  note: string;
}

export type StatusAnswer = { source: 'query'; state: BeadState; executionStatus: string } | PublishedStatus;

export async function beadStatus(client: Client, beadId: string, deadlineMs = ANSWER_DEADLINE_MS): Promise<StatusAnswer> {
  const run = await beadRun(client, beadId);
  const executionStatus = run.temporalStatus;
  if ((await workflowPollers(client, run.description.taskQueue)).length === 0) return published(client, run, 'no-worker');
  try {
    const state = await client.withDeadline(Date.now() + deadlineMs, () => run.handle.query(stateQuery));
    return {
      source: 'query',
      state: { ...state, status: effectiveStatus(state.status, executionStatus) as BeadState['status'] },
      executionStatus,
    };
  } catch (err) {
    // The run exists (we just described it): our deadline, the server's "no poller seen recently", a
    // cancelled long poll or a worker that died holding the task all mean nobody answered. Only a
    // server that went away is an error here.
    if (grpcCodeOf(err) === GRPC_STATUS.UNAVAILABLE) throw err;
    return published(client, run, 'no-answer');
  }
}

/** The last state the bead published in its search attributes, and which workers are missing. */
async function published(client: Client, run: BeadRun, why: PublishedStatus['why']): Promise<PublishedStatus> {
  const sa = run.description.typedSearchAttributes;
  const dash = (v: string | undefined) => (v && v !== '-' ? v : '');
  const taskQueue = run.description.taskQueue;
  const open = run.temporalStatus === 'RUNNING';
  const input = open ? await runStartInput(client, run.handle, run.description.runId).catch(() => undefined) : undefined;
  const idle = input ? await rolesWithoutWorker(client, agentRoles(input.definition), input.options?.roleQueuePrefix) : [];
  const note = [
    `${why === 'no-worker' ? `no worker is polling task queue ${taskQueue}` : `no worker on task queue ${taskQueue} answered within ${ANSWER_DEADLINE_MS / 1000}s`}, so this is the last state the bead published (search attributes)`,
    idle.length ? `roles without a worker: ${idle.join(', ')}` : '',
    open ? 'start one with `npm run worker`' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    source: 'search-attributes',
    beadId: run.handle.workflowId,
    status: effectiveStatus(sa.get(BEAD_STATUS), run.temporalStatus),
    currentNode: dash(sa.get(CURRENT_NODE)),
    requiredRole: dash(sa.get(REQUIRED_ROLE)),
    executionStatus: run.temporalStatus,
    why,
    taskQueue,
    rolesWithoutWorker: idle,
    note,
  };
}
