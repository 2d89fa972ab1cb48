/**
 * Where a commit-lock hand-off's time goes, from three histories (outgoing holder A, the lock,
 * incoming holder B) and the no-op commits' own times. For hand-off k (A = holder k, B = k+1):
 *   bead-release     A's commit ends            → A signals releaseLock (A's workflow task)
 *   deliver-release  A's signal initiated       → the lock sees it (server: signal delivery)
 *   lock-grant       the lock sees the release  → it signals lockGranted to B (lock's workflow task)
 *   deliver-grant    grant initiated            → B sees it
 *   bead-schedule    B sees the grant           → B schedules its commit (B's workflow task)
 *   dispatch         commit scheduled           → B's commit starts
 * Grants and releases are in token order in the lock's history, so the k-th of each pair up.
 */
import { temporal } from '@temporalio/proto';
import type { TurnRecord } from './worker-protocol';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;
const E = temporal.api.enums.v1.EventType;

export const HANDOFF_PARTS = ['bead-release', 'deliver-release', 'lock-grant', 'deliver-grant', 'bead-schedule', 'dispatch'] as const;
export type HandoffPart = (typeof HANDOFF_PARTS)[number];

const ms = (e: Event | undefined) => (e?.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : NaN);

function signalsSent(h: History, name: string): Event[] {
  return (h.events ?? []).filter(
    (e) =>
      e.eventType === E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED &&
      e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === name,
  );
}

function signalsSeen(h: History, name: string): Event[] {
  return (h.events ?? []).filter(
    (e) => e.eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && e.workflowExecutionSignaledEventAttributes?.signalName === name,
  );
}

function scheduled(h: History, activity: string): Event[] {
  return (h.events ?? []).filter(
    (e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
  );
}

/** `commits` in token order; `beads` by bead id; `lock` = the lock's history (one run). */
export function profileHandoffs(commits: TurnRecord[], beads: Map<string, History>, lock: History): Record<HandoffPart, number[]> {
  const parts: Record<HandoffPart, number[]> = {
    'bead-release': [],
    'deliver-release': [],
    'lock-grant': [],
    'deliver-grant': [],
    'bead-schedule': [],
    dispatch: [],
  };
  const releases = signalsSeen(lock, 'releaseLock');
  const grants = signalsSent(lock, 'lockGranted');
  for (let k = 0; k + 1 < commits.length; k++) {
    const a = beads.get(commits[k].beadId);
    const b = beads.get(commits[k + 1].beadId);
    if (!a || !b || !releases[k] || !grants[k + 1]) continue;
    const released = signalsSent(a, 'releaseLock')[0];
    const grantSeen = signalsSeen(b, 'lockGranted')[0];
    const commitScheduled = scheduled(b, 'commitWork')[0];
    parts['bead-release'].push(ms(released) - commits[k].end);
    parts['deliver-release'].push(ms(releases[k]) - ms(released));
    parts['lock-grant'].push(ms(grants[k + 1]) - ms(releases[k]));
    parts['deliver-grant'].push(ms(grantSeen) - ms(grants[k + 1]));
    parts['bead-schedule'].push(ms(commitScheduled) - ms(grantSeen));
    parts.dispatch.push(commits[k + 1].start - ms(commitScheduled));
  }
  return parts;
}
