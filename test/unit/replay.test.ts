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
import { workflowBundle } from '../../src/workers/bundle';
import { HISTORIES_DIR } from '../helpers/histories';

test('recorded workflow histories replay without non-determinism', async () => {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  assert.ok(files.length >= 5, `expected recorded histories in ${HISTORIES_DIR}, found ${files.length}`);
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  console.log(`replayed ${files.length} histories, ${failures.length} failed`);
  assert.deepEqual(failures, []);
});
