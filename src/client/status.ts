/**
 * What a bead's status is, from whichever source answers: the `state` query when a worker can
 * answer it, else the search attributes. A run Temporal closed without the workflow's say
 * (terminated, timed out, failed at start) shows Temporal's word, never a stale `running`.
 */
import type { Client } from '@temporalio/client';
import { BEAD_STATUS, CURRENT_NODE, REQUIRED_ROLE } from '../shared/search-attributes';
import { roleTaskQueue } from '../shared/roles';
import type { BeadState } from '../workflows/messages';
import { stateQuery } from '../workflows/messages';
import { beadRun } from './beads';
import { activityPollers, workflowPollers } from './pollers';

const OPEN_STATUSES = new Set(['running', 'waiting_approval', 'escalated']);

/** The bead's own status unless Temporal closed the run under it. */
export function effectiveStatus(beadStatus: string | undefined, executionStatus: string): string {
  const closedByTemporal = ['TERMINATED', 'TIMED_OUT', 'FAILED', 'CANCELLED'].includes(executionStatus);
  if (!beadStatus || (closedByTemporal && OPEN_STATUSES.has(beadStatus))) return executionStatus.toLowerCase();
  return beadStatus;
}

export type StatusAnswer =
  | { source: 'query'; state: BeadState; executionStatus: string }
  | {
      source: 'search-attributes';
      beadId: string;
      status: string;
      currentNode: string;
      requiredRole: string;
      executionStatus: string;
      /** Why the query was not asked: nobody polls the workflow task queue. */
      note: string;
    };

export async function beadStatus(client: Client, beadId: string): Promise<StatusAnswer> {
  const run = await beadRun(client, beadId);
  const executionStatus = run.temporalStatus;
  const taskQueue = run.description.taskQueue;
  if ((await workflowPollers(client, taskQueue)).length > 0) {
    const state = await run.handle.query(stateQuery);
    return {
      source: 'query',
      state: { ...state, status: effectiveStatus(state.status, executionStatus) as BeadState['status'] },
      executionStatus,
    };
  }
  const sa = run.description.typedSearchAttributes;
  const dash = (v: string | undefined) => (v && v !== '-' ? v : '');
  const requiredRole = dash(sa.get(REQUIRED_ROLE));
  const roleQueue = requiredRole ? roleTaskQueue(requiredRole) : undefined;
  const roleIdle = roleQueue && executionStatus === 'RUNNING' ? (await activityPollers(client, roleQueue)).length === 0 : false;
  const note = [
    `no worker is polling task queue ${taskQueue}, so this is the last state the bead published (search attributes)`,
    roleIdle ? `no worker serves role ${requiredRole} either` : '',
    'start one with `npm run worker`',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    source: 'search-attributes',
    beadId,
    status: effectiveStatus(sa.get(BEAD_STATUS), executionStatus),
    currentNode: dash(sa.get(CURRENT_NODE)),
    requiredRole,
    executionStatus,
    note,
  };
}
