/**
 * Where a transition's time goes, read from a bead's workflow history plus the turn times its
 * activity observed. For each turn k → k+1:
 *   report     turn k ends (activity)          → ActivityTaskCompleted (server)
 *   wft-wait   ActivityTaskCompleted           → WorkflowTaskScheduled of the task that schedules
 *                                                turn k+1 (~0 unless other tasks came first)
 *   wft-queue  WorkflowTaskScheduled           → WorkflowTaskStarted (a worker picked it up)
 *   wft-run    WorkflowTaskStarted             → WorkflowTaskCompleted (workflow code + reply)
 *   schedule   WorkflowTaskCompleted           → ActivityTaskScheduled (same transaction: ~0)
 *   dispatch   ActivityTaskScheduled           → turn k+1 starts (matching, poll, worker)
 * plus what each bead's history costs: events, bytes, workflow tasks, events by type.
 */
import { temporal } from '@temporalio/proto';
import type { TurnRecord } from './worker-protocol';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;
const E = temporal.api.enums.v1.EventType;

export const GAP_NAMES = ['report', 'wft-wait', 'wft-queue', 'wft-run', 'schedule', 'dispatch'] as const;
export type GapName = (typeof GAP_NAMES)[number];

export interface HistoryProfile {
  events: number;
  bytes: number;
  workflowTasks: number;
  eventsByType: Record<string, number>;
  gaps: Record<GapName, number[]>;
}

function ms(e: Event): number {
  const t = e.eventTime;
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

function typeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  const name = E[type ?? 0] ?? String(type);
  return name.replace(/^EVENT_TYPE_/, '').toLowerCase();
}

/** Profiles one bead: `turns` are that bead's observed turns (any order). */
export function profileHistory(history: History, turns: TurnRecord[]): HistoryProfile {
  const events = history.events ?? [];
  const eventsByType: Record<string, number> = {};
  for (const e of events) eventsByType[typeName(e.eventType)] = (eventsByType[typeName(e.eventType)] ?? 0) + 1;
  const gaps: Record<GapName, number[]> = { report: [], 'wft-wait': [], 'wft-queue': [], 'wft-run': [], schedule: [], dispatch: [] };
  const ordered = [...turns].sort((a, b) => a.start - b.start);
  // Agent turns only: the ledger's writes are activities too, on the workflow queue.
  const scheduled = events.filter(
    (e) =>
      e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'agentTurn',
  );
  const turnIds = new Set(scheduled.map((e) => Number(e.eventId)));
  const completed = events.filter(
    (e) =>
      e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && turnIds.has(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
  );
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  for (let k = 0; k + 1 < ordered.length && k < completed.length && k + 1 < scheduled.length; k++) {
    const done = completed[k];
    const next = scheduled[k + 1];
    // The workflow task whose completion scheduled the next turn, and when it was scheduled and picked up.
    const wftCompleted = byId.get(Number(next.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId));
    const wftStarted = byId.get(Number(wftCompleted?.workflowTaskCompletedEventAttributes?.startedEventId));
    const wftScheduled = byId.get(Number(wftCompleted?.workflowTaskCompletedEventAttributes?.scheduledEventId));
    gaps.report.push(ms(done) - ordered[k].end);
    if (wftScheduled && wftStarted && wftCompleted) {
      gaps['wft-wait'].push(ms(wftScheduled) - ms(done));
      gaps['wft-queue'].push(ms(wftStarted) - ms(wftScheduled));
      gaps['wft-run'].push(ms(wftCompleted) - ms(wftStarted));
      gaps.schedule.push(ms(next) - ms(wftCompleted));
    }
    gaps.dispatch.push(ordered[k + 1].start - ms(next));
  }
  return {
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    workflowTasks: eventsByType.workflow_task_completed ?? 0,
    eventsByType,
    gaps,
  };
}

/** Transition latencies: for each bead, from a turn's end to the next turn's start. */
export function transitionLatencies(turns: TurnRecord[]): number[] {
  const byBead = new Map<string, TurnRecord[]>();
  for (const t of turns) {
    const list = byBead.get(t.beadId) ?? [];
    list.push(t);
    byBead.set(t.beadId, list);
  }
  const out: number[] = [];
  for (const list of byBead.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) out.push(list[i].start - list[i - 1].end);
  }
  return out;
}
