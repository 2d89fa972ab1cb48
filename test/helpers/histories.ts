/**
 * Saves workflow histories produced by integration tests under test/histories/, so CI replays
 * them (test/unit/replay.test.ts) and a change that would break in-flight runs fails the build.
 * Exported with the `temporal` CLI (`workflow show --output json`): the format `historyFromJSON`
 * reads, the same a user downloads from the Web UI. Recorded when the file is missing or with
 * RECORD_HISTORIES=1, so ordinary runs don't churn the tree.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { testTemporalBinary } from './temporal';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export async function saveHistory(
  env: { address: string; namespace?: string },
  workflowId: string,
  name: string,
  runId?: string,
): Promise<void> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file) && process.env.RECORD_HISTORIES !== '1') return;
  const bin = await testTemporalBinary();
  if (!('path' in bin) || !bin.path) return; // the SDK's download route has no CLI to export with
  const args = [
    'workflow',
    'show',
    '--address',
    env.address,
    '--namespace',
    env.namespace ?? 'default',
    '--workflow-id',
    workflowId,
    '--output',
    'json',
  ];
  if (runId) args.push('--run-id', runId);
  const { stdout } = await promisify(execFile)(bin.path, args, { maxBuffer: 64 * 1024 * 1024 });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(file, stdout);
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The patch ids a history's markers record, in order. */
export function patchMarkers(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const payload = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<{ id: string }>(payload).id] : [];
  });
}

/** How many of a history's search-attribute upserts set `TemporalChangeVersion` (one per patch marker). */
export function changeVersionUpserts(events: HistoryEvent[]): number {
  return events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion)
    .length;
}
