import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { FileResult } from '../../scripts/test-files';
import { jobsFromEnv, longestFirst, parseTapSummary, readDurations, writeDurations } from '../../scripts/test-files';

test('jobsFromEnv: unset or empty takes the default; a positive whole number is taken', () => {
  assert.equal(jobsFromEnv('JOBS', 2, {}), 2);
  assert.equal(jobsFromEnv('JOBS', 2, { JOBS: '' }), 2);
  assert.equal(jobsFromEnv('JOBS', 2, { JOBS: '3' }), 3);
  assert.equal(jobsFromEnv('JOBS', 2, { JOBS: '1' }), 1);
});

test('jobsFromEnv: anything else is an error naming the variable and the value', () => {
  for (const bad of ['0', '-1', '1.5', 'two', ' ']) {
    assert.throws(
      () => jobsFromEnv('BEADFLOW_TEST_JOBS', 2, { BEADFLOW_TEST_JOBS: bad }),
      (err: Error) => {
        assert.match(err.message, /^BEADFLOW_TEST_JOBS must be a positive whole number/);
        assert.ok(err.message.includes(`"${bad}"`), err.message);
        return true;
      },
    );
  }
});

test('longestFirst: slowest first, never-timed files before all timed ones, ties by name', () => {
  const files = ['a.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'e.test.ts'];
  const order = longestFirst(files, { 'a.test.ts': 5, 'b.test.ts': 50, 'd.test.ts': 5, 'e.test.ts': 20 });
  assert.deepEqual(order, ['c.test.ts', 'b.test.ts', 'e.test.ts', 'a.test.ts', 'd.test.ts']);
  assert.deepEqual(files, ['a.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'e.test.ts'], 'the input is left as it was');
});

test('durations: written per file, merged with earlier runs, and unreadable entries ignored', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-durations-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'nested', 'durations.json');
  assert.deepEqual(readDurations(file), {}, 'a missing file is no times');

  const result = (f: string, ms: number): FileResult => ({
    file: f,
    ms,
    counts: { passed: 1, failed: 0, skipped: 0 },
    exitCode: 0,
    logFile: '',
    failures: [],
  });
  writeDurations(file, [result('a', 100), result('b', 200)]);
  writeDurations(file, [result('b', 250)]);
  assert.deepEqual(readDurations(file), { a: 100, b: 250 });

  fs.writeFileSync(file, JSON.stringify({ a: 100, b: 'slow', c: -4, d: null }));
  assert.deepEqual(readDurations(file), { a: 100 });
  fs.writeFileSync(file, '[1, 2]');
  assert.deepEqual(readDurations(file), {});
  fs.writeFileSync(file, '{ not json');
  assert.deepEqual(readDurations(file), {});
});

test('parseTapSummary: cancelled count as failed, todo as skipped', () => {
  const tap = ['TAP version 13', '# tests 7', '# pass 3', '# fail 1', '# cancelled 1', '# skipped 1', '# todo 1'].join('\n');
  assert.deepEqual(parseTapSummary(tap), { passed: 3, failed: 2, skipped: 2 });
  assert.deepEqual(parseTapSummary(''), { passed: 0, failed: 0, skipped: 0 });
});
