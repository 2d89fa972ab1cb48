import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { percentile, ratePerSecond, ratio, round, summarize } from '../../bench/stats';
import { transitionLatencies } from '../../bench/history';
import { closedLoop } from '../../bench/load';
import { parseBenchArgs } from '../../bench/args';
import { compareTurnInputs } from '../../bench/equivalence';

describe('bench statistics', () => {
  test('percentiles interpolate between closest ranks (numpy default), whatever the input order', () => {
    const values = [40, 10, 30, 20, 50];
    assert.equal(percentile(values, 0), 10);
    assert.equal(percentile(values, 50), 30);
    assert.equal(percentile(values, 100), 50);
    assert.equal(percentile(values, 25), 20);
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.ok(Math.abs(percentile([1, 2, 3, 4], 95) - 3.85) < 1e-9);
    assert.deepEqual(values, [40, 10, 30, 20, 50], 'the input is not reordered');
  });

  test('a single value is every percentile; an empty list has none; p outside 0..100 is refused', () => {
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 101), /outside 0\.\.100/);
    assert.throws(() => percentile([1], -1), /outside 0\.\.100/);
  });

  test('summarize agrees with percentile and reports count, min, mean, max', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i);
    const s = summarize(values);
    assert.deepEqual(s, { count: 101, min: 0, mean: 50, p50: 50, p95: 95, p99: 99, max: 100 });
    assert.equal(summarize([]).count, 0);
    assert.ok(Number.isNaN(summarize([]).p50));
  });

  test('rates and ratios do not divide by zero', () => {
    assert.equal(ratePerSecond(50, 500), 100);
    assert.equal(ratePerSecond(5, 0), 0);
    assert.equal(ratio(3, 2), 1.5);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.equal(round(1.23456), 1.23);
    assert.equal(round(123.456), 123.5);
    assert.equal(round(12345.6), 12346);
  });

  test('transition latency is next start minus previous end, per bead, in start order', () => {
    const turns = [
      { beadId: 'a', node: 'y', start: 130, end: 140 },
      { beadId: 'b', node: 'x', start: 0, end: 5 },
      { beadId: 'a', node: 'x', start: 100, end: 110 },
      { beadId: 'b', node: 'y', start: 25, end: 30 },
    ];
    assert.deepEqual(
      transitionLatencies(turns).sort((p, q) => p - q),
      [20, 20],
    );
  });

  test('closedLoop keeps at most `concurrency` runs in flight and counts failures', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await closedLoop({
      count: 10,
      concurrency: 3,
      run: async (i) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if (i === 4) throw new Error('bead 4 failed');
      },
    });
    assert.equal(most, 3);
    assert.equal(result.completed, 9);
    assert.deepEqual(result.failures, ['bead 4 failed']);
  });
});

describe('bench plumbing', () => {
  test('defaults fit the 10-minute budget; --large parks 10,000 beads', () => {
    const defaults = parseBenchArgs([]);
    assert.equal(defaults.beads, 200);
    assert.equal(defaults.parked, 1_000);
    assert.deepEqual(defaults.servers, ['persisted', 'in-memory']);
    assert.equal(parseBenchArgs(['--large']).parked, 10_000);
    assert.equal(parseBenchArgs(['--large', '--parked', '50']).parked, 50);
  });

  test('the equivalence check ignores the bead id and names the first field that differs', () => {
    const turn = (beadId: string, start: number, feedback?: string) => ({
      beadId,
      node: 'n',
      start,
      end: start + 1,
      input: { beadId, node: { key: 'n' }, feedback },
    });
    assert.deepEqual(compareTurnInputs([turn('a', 1), turn('a', 2)], [turn('b', 5), turn('b', 6)]), { identical: true, turns: 2 });
    const differ = compareTurnInputs([turn('a', 1), turn('a', 2, 'x')], [turn('b', 5), turn('b', 6, 'y')]);
    assert.equal(differ.identical, false);
    assert.match(differ.difference ?? '', /turn 2 differs in feedback/);
    assert.match(compareTurnInputs([turn('a', 1)], []).difference ?? '', /1 turns vs 0/);
  });
});
