/** Pure parts of the ledger: snapshots, batching, statuses, priorities, bd's JSONL, configuration. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseBdJsonl } from '../../src/ledger/bd-import';
import { ledgerConfig, redactUrl } from '../../src/ledger/config';
import { MAX_SUMMARY_CHARS, beadStatusFor, executionSnapshot, takeBatch } from '../../src/ledger/progress';
import { priorityNumber } from '../../src/ledger/write-progress';
import { Interpreter } from '../../src/interpreter';
import { parseWorkerArgs } from '../../src/workers/options';
import type { HistoryEntry } from '../../src/interpreter/types';
import { definition, node } from '../fixtures/definitions';
import { testBead } from '../fixtures/drive';

const entry = (seq: number, summary = 'ok'): HistoryEntry => ({ seq, kind: 'move', node: 'a', endedAt: 1000 + seq, summary });

describe('takeBatch', () => {
  test('takes entries in order up to the entry cap', () => {
    const batch = takeBatch(
      [1, 2, 3, 4, 5].map((s) => entry(s)),
      3,
    );
    assert.deepEqual(
      batch.map((e) => e.seq),
      [1, 2, 3],
    );
  });

  test('stops before the size cap but always takes at least one entry', () => {
    const big = 'x'.repeat(10_000);
    assert.deepEqual(
      takeBatch([entry(1, big), entry(2, big), entry(3, big)], 200, 25_000).map((e) => e.seq),
      [1, 2],
    );
    assert.equal(takeBatch([entry(1, big)], 200, 10).length, 1);
  });

  test('truncates an oversized summary instead of blowing the payload limit', () => {
    const [e] = takeBatch([entry(1, 'y'.repeat(MAX_SUMMARY_CHARS * 3))]);
    assert.ok(e.summary.length < MAX_SUMMARY_CHARS + 20);
    assert.ok(e.summary.endsWith('[truncated]'));
  });
});

describe('executionSnapshot', () => {
  test("follows the interpreter's state with Loom's counters", () => {
    const def = definition(
      [node('a'), node('b')],
      [
        ['', 'a', 'success'],
        ['a', 'b', 'success'],
        ['b', '', 'success'],
      ],
    );
    const interp = new Interpreter(def, testBead('bead-1'));
    interp.apply({ type: 'begin', at: 1_000 });
    const snap = executionSnapshot(interp.state, { executionId: 'run-1', runId: 'run-2', startedAt: 900 });
    assert.equal(snap.executionId, 'run-1');
    assert.equal(snap.beadId, 'bead-1');
    assert.equal(snap.definitionId, 'test-def');
    assert.equal(snap.currentNodeKey, 'a');
    assert.equal(snap.nodeAttemptCount, 1);
    assert.equal(snap.lastSeq, interp.state.historyTotal);
    assert.equal(snap.status, 'running');
    assert.equal(snap.completedAt, undefined);
    assert.equal(snap.escalationReason, undefined);
  });
});

test('bead status in the ledger follows the run', () => {
  assert.equal(beadStatusFor('running'), 'in_progress');
  assert.equal(beadStatusFor('waiting_approval'), 'in_review');
  assert.equal(beadStatusFor('escalated'), 'blocked');
  assert.equal(beadStatusFor('failed'), 'blocked');
  assert.equal(beadStatusFor('completed'), 'closed');
});

test('priorities: P0..P4 and 0..4, anything else P2', () => {
  assert.deepEqual(['P0', 'p3', '4', 1, 9, -1, 'high', undefined].map(priorityNumber), [0, 3, 4, 1, 4, 0, 2, 2]);
});

describe("bd's issues.jsonl", () => {
  test('maps fields, keeps the rest in metadata, skips tombstones, reports bad lines', () => {
    const lines = [
      JSON.stringify({
        id: 'bd-1',
        title: 'Crash on save',
        description: 'd',
        status: 'in_progress',
        priority: 0,
        issue_type: 'bug',
        labels: ['ui'],
        created_at: '2025-01-02T03:04:05Z',
        assignee: 'amy',
        dependencies: [{ depends_on_id: 'bd-2' }],
      }),
      JSON.stringify({ id: 'bd-2', title: 'Old', status: 'tombstone' }),
      '{not json',
      JSON.stringify({ id: 'bd-3' }),
      '',
      JSON.stringify({ id: 'bd-4', title: 'Defaults' }),
    ];
    const parsed = parseBdJsonl(lines.join('\n'), '.beads/issues.jsonl');
    assert.equal(parsed.skipped, 1);
    assert.deepEqual(
      parsed.problems.map((p) => p.split(':').slice(0, 2).join(':')),
      ['.beads/issues.jsonl:3', '.beads/issues.jsonl:4'],
    );
    const [crash, defaults] = parsed.beads;
    assert.equal(crash.id, 'bd-1');
    assert.equal(crash.status, 'in_progress');
    assert.equal(crash.priority, 0);
    assert.equal(crash.type, 'bug');
    assert.deepEqual(crash.labels, ['ui']);
    assert.equal(crash.createdAt?.toISOString(), '2025-01-02T03:04:05.000Z');
    assert.deepEqual(crash.metadata, { bd: { assignee: 'amy', dependencies: [{ depends_on_id: 'bd-2' }] } });
    assert.equal(defaults.status, 'open');
    assert.equal(defaults.priority, 2);
    assert.equal(defaults.type, 'task');
  });
});

describe('ledger configuration', () => {
  test('DATABASE_URL wins; BEADFLOW_LEDGER=off and --no-ledger turn it off; else the embedded default', () => {
    assert.deepEqual(ledgerConfig({ DATABASE_URL: 'postgres://x@h/db' }), { mode: 'url', url: 'postgres://x@h/db' });
    assert.deepEqual(ledgerConfig({ DATABASE_URL: 'postgres://x@h/db', BEADFLOW_LEDGER: 'off' }), { mode: 'off' });
    assert.deepEqual(ledgerConfig({}, { noLedger: true }), { mode: 'off' });
    assert.deepEqual(ledgerConfig({ BEADFLOW_LEDGER_DIR: '/tmp/l' }), { mode: 'embedded', dir: '/tmp/l' });
    const def = ledgerConfig({});
    assert.equal(def.mode === 'embedded' && def.dir.endsWith(path.join('.beadflow', 'postgres')), true);
  });

  test('passwords never reach messages', () => {
    assert.equal(redactUrl('postgres://bob:s3cret@db:5432/ledger'), 'postgres://bob:***@db:5432/ledger');
    assert.equal(redactUrl('postgres://bob@db/ledger'), 'postgres://bob@db/ledger');
  });
});

test('the worker writes to the ledger unless --no-ledger or BEADFLOW_LEDGER=off', () => {
  assert.equal(parseWorkerArgs(['node', 'worker'], {}).ledger, true);
  assert.equal(parseWorkerArgs(['node', 'worker', '--no-ledger'], {}).ledger, false);
  assert.equal(parseWorkerArgs(['node', 'worker'], { BEADFLOW_LEDGER: 'off' }).ledger, false);
});
