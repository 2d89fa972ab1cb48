/**
 * Replays every recorded history against today's workflow code. A failure here means a change
 * would break runs already in flight: put it behind `patched()` instead.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/observability/tracing';
import { workflowBundle } from '../../src/workers/bundle';
import { HISTORIES_DIR } from '../helpers/histories';

function recordedHistories() {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  assert.ok(files.length >= 5, `expected recorded histories in ${HISTORIES_DIR}, found ${files.length}`);
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));
  return histories;
}

async function replayFailures(options: Parameters<typeof Worker.runReplayHistories>[0]): Promise<string[]> {
  const histories = recordedHistories();
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  console.log(`replayed ${histories.length} histories, ${failures.length} failed`);
  return failures;
}

test('recorded workflow histories replay without non-determinism', async () => {
  assert.deepEqual(await replayFailures({ workflowBundle: await workflowBundle() }), []);
});

// Histories recorded without tracing replay on a tracing worker: its interceptors and spans add no
// commands and draw no numbers from the workflow's random stream (commit-lock request ids).
test('recorded histories replay with the tracing interceptors bundled', async () => {
  const tracing = startTracing({ exporter: new InMemorySpanExporter(), batch: false })!;
  try {
    const failures = await replayFailures({ workflowBundle: await workflowBundle(undefined, { tracing: true }), sinks: tracing.sinks });
    assert.deepEqual(failures, []);
  } finally {
    await tracing.shutdown();
  }
});
