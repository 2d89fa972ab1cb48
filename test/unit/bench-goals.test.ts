/** The bench's goals table: every goal row of issue 15, its measured value, the goal, yes / no. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { checkGoals, renderGoals } from '../../bench/report/goals';
import type { BenchResults } from '../../bench/run';

const summary = (p50: number, p95: number) => ({ p50, p95, p99: p95, mean: p50, min: p50, max: p95, count: 10 });

// Only the fields the goals read; the rest of a run's document does not matter here.
function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: { cores: 2 },
    parameters: { servers: ['persisted', 'in-memory'] },
    compare: {
      persisted: {
        ratios: [
          { dag: 'linear', interpreterVsHand: 1.05 },
          { dag: 'approval-loop', interpreterVsHand: 1.47 },
        ],
      },
      'in-memory': { ratios: [{ dag: 'linear', interpreterVsHand: 1.2 }] },
    },
    latency: {
      persisted: [
        { dag: 'linear', runner: 'interpreter', transitionMs: summary(11, 20) },
        { dag: 'linear', runner: 'hand-written', transitionMs: summary(9, 11) },
      ],
    },
    throughput: [{ runner: 'interpreter', concurrency: 500, steadyTurnsPerSecond: 101.4 }],
    lock: { withLock: { handoffMs: summary(84, 124) } },
    scale: [{ runner: 'interpreter', parked: 10_000, cacheSize: 320, whileParked: { workerRssBytes: 420 * 2 ** 20 } }],
    workerStarts: [
      { section: 'a', startToPollMs: 1500, createMs: 900 },
      { section: 'b', startToPollMs: 1700, createMs: 1000 },
      { section: 'c', startToPollMs: 4000, createMs: 3000 },
    ],
    ...over,
  } as unknown as BenchResults;
}

describe('bench goals', () => {
  test('one row per DAG and server variant, and one per other goal, each with measured, goal and met', () => {
    const rows = checkGoals(results()).map((g) => [g.figure, g.measured, g.goal, g.met]);
    assert.deepEqual(rows, [
      ['interpreter / hand-written, linear, persisted', '1.05', '≤ 1.10', true],
      ['interpreter / hand-written, approval-loop, persisted', '1.47', '≤ 1.10', false],
      ['interpreter / hand-written, linear, in-memory', '1.20', '≤ 1.10', false],
      ['transition p50 / p95, one bead at a time, linear, persisted', '11.0 / 20.0 ms', '≤ 12 / 25 ms', true],
      ['turns/s, 500 beads in flight, 2 cores', '101.4', '≥ 100 at 500 in flight', true],
      ['commit-lock hand-off p50', '84.0 ms', '≤ 20 ms', false],
      ['worker RSS, 10,000 beads parked (cache 320)', '420.0 MB', '≤ 500 MB at 10,000', true],
      ['worker start to first poll, p50 of 3 starts', '1.70 s (max 4.00 s)', '≤ 2 s', true],
    ]);
  });

  test('a figure below the goal’s own scale is "not measured", not a pass', () => {
    const r = results({
      throughput: [{ runner: 'interpreter', concurrency: 50, steadyTurnsPerSecond: 500 }],
      scale: [{ runner: 'interpreter', parked: 2000, cacheSize: 320, whileParked: { workerRssBytes: 100 * 2 ** 20 } }],
    } as unknown as Partial<BenchResults>);
    const byFigure = new Map(checkGoals(r).map((g) => [g.figure.split(',')[0], g.met]));
    assert.equal(byFigure.get('turns/s'), undefined);
    assert.equal(byFigure.get('worker RSS'), undefined);
  });

  test('the p95 half of the transition goal counts too', () => {
    const r = results({ latency: { persisted: [{ dag: 'linear', runner: 'interpreter', transitionMs: summary(10, 30) }] } } as never);
    assert.equal(checkGoals(r).find((g) => g.figure.startsWith('transition'))?.met, false);
  });

  test('the rendered table says yes, no and not measured', () => {
    const text = renderGoals([
      { figure: 'a', measured: '1', goal: '≤ 2', met: true },
      { figure: 'b', measured: '3', goal: '≤ 2', met: false },
      { figure: 'c', measured: '3', goal: '≤ 2' },
    ]);
    assert.deepEqual(text.split('\n'), [
      '| figure | measured | goal |          met |',
      '|:-------|---------:|-----:|-------------:|',
      '| a      |        1 |  ≤ 2 |          yes |',
      '| b      |        3 |  ≤ 2 |           no |',
      '| c      |        3 |  ≤ 2 | not measured |',
    ]);
  });

  test('a run without sections has no goal rows', () => {
    assert.deepEqual(
      checkGoals(
        results({ compare: undefined, latency: undefined, throughput: undefined, lock: undefined, scale: undefined, workerStarts: [] }),
      ),
      [],
    );
  });
});
