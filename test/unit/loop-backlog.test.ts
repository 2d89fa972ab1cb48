/** The loop's rules without a server: order, dependencies, bd's re-imports, what is critical, what it prints. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoopResult } from '../../src/client/loop';
import { criticalClose, criticalError } from '../../src/client/loop-critical';
import { summaryLine } from '../../src/cli/commands/loop';
import { compareBacklog, describeWaiting, readyBeads } from '../../src/ledger/backlog';
import { parseBdJsonl } from '../../src/ledger/bd-import';
import { importAction } from '../../src/ledger/bd-merge';
import type { BeadRow } from '../../src/ledger/beads';
import { BeadflowError } from '../../src/shared/errors';

const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min));
function row(id: string, over: Partial<BeadRow> = {}): BeadRow {
  return {
    id,
    title: id,
    description: '',
    type: 'bug',
    status: 'open',
    priority: 2,
    labels: [],
    parent_id: null,
    depends_on: [],
    source: 'bd',
    metadata: {},
    created_at: at(0),
    updated_at: at(0),
    closed_at: null,
    ...over,
  };
}

describe('backlog order', () => {
  test('blocked > in_review > in_progress > open, then priority, then age, then id', () => {
    const beads = [
      row('open-p0', { priority: 0 }),
      row('open-p2-new', { created_at: at(9) }),
      row('open-p2-old', { created_at: at(1) }),
      row('progress-p4', { status: 'in_progress', priority: 4 }),
      row('review-p3', { status: 'in_review', priority: 3 }),
      row('blocked-p4', { status: 'blocked', priority: 4 }),
      row('blocked-p1', { status: 'blocked', priority: 1 }),
      row('a-same', { created_at: at(1) }),
    ];
    assert.deepEqual(
      [...beads].sort(compareBacklog).map((b) => b.id),
      ['blocked-p1', 'blocked-p4', 'review-p3', 'progress-p4', 'open-p0', 'a-same', 'open-p2-old', 'open-p2-new'],
    );
  });
});

describe('dependencies', () => {
  const statuses: Record<string, string> = { done: 'closed', busy: 'in_progress' };
  test('a bead waits until every bead it depends on is closed; a missing one holds it too', () => {
    const { ready, waiting } = readyBeads(
      [
        row('free', { priority: 3 }),
        row('after-done', { depends_on: ['done'] }),
        row('after-busy', { priority: 0, depends_on: ['done', 'busy'] }),
        row('after-ghost', { depends_on: ['ghost'] }),
        row('self', { depends_on: ['self'] }),
      ],
      (id) => statuses[id],
    );
    assert.deepEqual(
      ready.map((b) => b.id),
      ['after-done', 'self', 'free'],
    );
    assert.deepEqual(waiting.map(describeWaiting), [
      'after-busy waits for busy (in_progress)',
      'after-ghost waits for ghost (not in the ledger)',
    ]);
  });

  test("bd's blocking dependencies become dependsOn; links that do not block are kept in metadata only", () => {
    const line = JSON.stringify({
      id: 'bd-9',
      title: 'Ship it',
      dependencies: [
        { issue_id: 'bd-9', depends_on_id: 'bd-1', type: 'blocks' },
        { depends_on_id: 'bd-2' },
        { depends_on_id: 'bd-3', type: 'related' },
        { depends_on_id: 'bd-4', type: 'parent-child' },
        'bd-5',
        { type: 'blocks' },
      ],
    });
    const parsed = parseBdJsonl(`${line}\n${JSON.stringify({ id: 'bd-10', title: 'x', dependencies: 'bd-1' })}`, 'issues.jsonl');
    assert.deepEqual(parsed.beads[0].dependsOn, ['bd-1', 'bd-2', 'bd-5']);
    assert.deepEqual(parsed.beads[1].dependsOn, []);
    assert.deepEqual(parsed.problems, [
      'issues.jsonl:1: issue bd-9: a dependency has no "depends_on_id"; it is ignored',
      'issues.jsonl:2: issue bd-10: "dependencies" is not a list; its dependencies are ignored',
    ]);
  });
});

describe('bd re-imports', () => {
  const incoming = {
    id: 'bd-1',
    title: 'New title',
    type: 'bug',
    priority: 1,
    labels: ['ui'],
    status: 'open',
    dependsOn: ['bd-2'],
    metadata: { bd: { a: 1, b: 2 } },
  };
  const existing = row('bd-1', { title: 'Old title', priority: 1, labels: ['ui'], depends_on: [], metadata: { bd: { b: 2, a: 1 } } });

  test('a new id is inserted; a bead not from bd is left alone', () => {
    assert.deepEqual(importAction(incoming, undefined, false), { kind: 'insert' });
    assert.deepEqual(importAction(incoming, { ...existing, source: 'cli' }, false), { kind: 'foreign', source: 'cli' });
  });

  test('what was edited in bd updates the bead (key order of metadata does not count)', () => {
    const a = importAction(incoming, existing, false);
    assert.equal(a.kind, 'update');
    if (a.kind === 'update') assert.deepEqual(a.fields, ['title', 'depends_on']);
    const same = importAction(incoming, { ...existing, title: 'New title', depends_on: ['bd-2'] }, false);
    assert.deepEqual(same, { kind: 'unchanged' });
  });

  test("after a run the run's status stands, unless bd closes the bead", () => {
    const ran = { ...existing, title: 'New title', depends_on: ['bd-2'], status: 'blocked' };
    assert.deepEqual(importAction(incoming, ran, true), { kind: 'unchanged' });
    const reopened = importAction(incoming, ran, false);
    assert.equal(reopened.kind === 'update' && reopened.row.status, 'open');
    const closed = importAction({ ...incoming, status: 'closed' }, ran, true);
    assert.equal(closed.kind === 'update' && closed.row.status, 'closed');
    assert.ok(closed.kind === 'update' && closed.row.closed_at instanceof Date);
  });
});

describe('critical failures', () => {
  test('a run closed by Temporal is critical; a bead ending by its definition is not', () => {
    for (const s of ['COMPLETED', 'CANCELLED', 'CONTINUED_AS_NEW']) assert.equal(criticalClose('b1', s), undefined);
    const c = criticalClose('b1', 'FAILED', 'definition x is invalid');
    assert.match(c!.reason, /^bead b1: its workflow failed .*: definition x is invalid$/);
    assert.match(c!.hint, /npx beadflow status b1/);
    assert.match(criticalClose('b2', 'TERMINATED')!.reason, /terminated/);
    assert.match(criticalClose('b3', 'TIMED_OUT')!.reason, /timed out/);
  });

  test("a BeadflowError about one bead is not critical; the server's or the ledger's errors are", () => {
    assert.equal(criticalError(new BeadflowError('no definition for type "x"'), 'starting', 'b1'), undefined);
    const down = criticalError(new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'reading the backlog');
    assert.equal(down?.reason, 'reading the backlog: connect ECONNREFUSED 127.0.0.1:5432');
    assert.match(down!.hint, /TEMPORAL_ADDRESS.*DATABASE_URL/);
  });
});

test('the summary line says why it stopped and what to do', () => {
  const result: LoopResult = {
    started: [{ beadId: 'a' }],
    skipped: [],
    finished: [{ beadId: 'a', status: 'completed' }],
    waiting: [],
    followUps: [{ beadId: 'a.1', parent: 'a' }],
    waitingOnDependencies: [],
    warnings: [],
    stoppedBecause: 'max iterations',
    message: 'stopped after --max-iterations 1 beads with work left in the backlog; run it again',
  };
  assert.equal(
    summaryLine(result),
    'loop stopped (max iterations): started 1, ended 1, skipped 0, follow-ups filed 1; stopped after --max-iterations 1 beads with work left in the backlog; run it again',
  );
});
