/**
 * The follow-ups a finished bead's agents filed, turned into ledger beads for the loop's next
 * look at the backlog. The workflow does not carry them: each `agentTurn` activity's result is in
 * Temporal's history of the bead's runs (all of them, across continue-as-new), and that is where
 * they are read. Filed beads get ids `<bead>.<n>` (n from 1, in the order the agents filed them),
 * so filing twice is harmless.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import type { FollowUp } from '../shared/follow-ups';
import { MAX_FOLLOW_UPS, parseFollowUps } from '../shared/follow-ups';
import { insertBead } from '../ledger/beads';

/** A bead's follow-ups in all (its agents may answer many times): more are left out, with a warning. */
export const MAX_FOLLOW_UPS_PER_BEAD = 5 * MAX_FOLLOW_UPS;
/** Runs of one bead walked back through continue-as-new: far more than any bead makes. */
const MAX_RUNS = 1000;

export interface FiledFollowUps {
  filed: Array<{ beadId: string; title: string; type?: string; priority: string }>;
  warnings: string[];
}

interface TurnAnswer {
  followUps: FollowUp[];
  warnings: string[];
}

/** Reads the follow-ups of every agent turn of the bead, oldest first, and files them. */
export async function fileFollowUps(client: Client, pool: Pool, beadId: string): Promise<FiledFollowUps> {
  const answers = await turnAnswers(client, beadId);
  const warnings = answers.flatMap((a) => a.warnings.map((w) => `${beadId}: an agent's ${w}`));
  const seen = new Set<string>();
  const wanted: FollowUp[] = [];
  for (const f of answers.flatMap((a) => a.followUps)) {
    const key = f.title.toLowerCase();
    if (seen.has(key)) continue; // a redispatched or retried turn files the same again
    seen.add(key);
    wanted.push(f);
  }
  if (wanted.length > MAX_FOLLOW_UPS_PER_BEAD)
    warnings.push(`${beadId}: its agents filed ${wanted.length} follow-ups; the first ${MAX_FOLLOW_UPS_PER_BEAD} are kept`);
  const filed: FiledFollowUps['filed'] = [];
  for (const [i, f] of wanted.slice(0, MAX_FOLLOW_UPS_PER_BEAD).entries()) {
    const id = `${beadId}.${i + 1}`;
    const row = await insertBead(pool, {
      id,
      title: f.title,
      description: f.description ?? `Filed by an agent of ${beadId} as a follow-up.`,
      type: f.type,
      priority: f.priority,
      labels: ['follow-up'],
      parentId: beadId,
      source: 'follow-up',
      metadata: { followUpOf: beadId },
    });
    if (row) filed.push({ beadId: id, title: f.title, ...(f.type ? { type: f.type } : {}), priority: f.priority });
  }
  return { filed, warnings };
}

/** Follow-ups in each `agentTurn` result of the bead's runs, oldest run first. */
async function turnAnswers(client: Client, beadId: string): Promise<TurnAnswer[]> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  const runs: TurnAnswer[][] = [];
  let runId: string | undefined;
  for (let n = 0; n < MAX_RUNS; n++) {
    const history = await client.workflow.getHandle(beadId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(answersIn(events, (p) => converter.fromPayload(p)));
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) break;
  }
  return runs.flat();
}

export function answersIn(
  events: temporal.api.history.v1.IHistoryEvent[],
  decode: (p: temporal.api.common.v1.IPayload) => unknown,
): TurnAnswer[] {
  const turns = new Set<string>();
  const out: TurnAnswer[] = [];
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'agentTurn') turns.add(String(e.eventId));
    const done = e.activityTaskCompletedEventAttributes;
    if (!done || !turns.has(String(done.scheduledEventId))) continue;
    const payload = done.result?.payloads?.[0];
    let result: unknown;
    try {
      result = payload ? decode(payload) : undefined;
    } catch {
      continue; // not ours to read (another codec): no follow-ups from it
    }
    const r = result as { followUps?: unknown; followUpWarnings?: unknown } | undefined;
    if (!r || (r.followUps === undefined && r.followUpWarnings === undefined)) continue;
    const parsed = parseFollowUps(r.followUps);
    const earlier = Array.isArray(r.followUpWarnings) ? r.followUpWarnings.filter((w): w is string => typeof w === 'string') : [];
    out.push({ followUps: parsed.followUps, warnings: [...earlier, ...parsed.warnings] });
  }
  return out;
}
