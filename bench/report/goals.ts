/** The speed goals of issue 15, checked against a run's figures (reported, never asserted). */
import type { BenchResults } from '../run';
import { percentile } from '../stats';
import { renderTable } from './table-format';

export interface GoalCheck {
  figure: string;
  measured: string;
  goal: string;
  /** undefined = not measured in this run (section skipped, or too small to judge). */
  met?: boolean;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');

export function checkGoals(r: BenchResults): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const [variant, compare] of Object.entries(r.compare ?? {})) {
    for (const ratio of compare?.ratios ?? []) {
      checks.push({
        figure: `interpreter / hand-written, ${ratio.dag}, ${variant}`,
        measured: f1(ratio.interpreterVsHand),
        goal: '≤ 1.10',
        met: ratio.interpreterVsHand <= 1.1,
      });
    }
  }
  for (const [variant, latency] of Object.entries(r.latency ?? {})) {
    for (const l of (latency ?? []).filter((x) => x.runner === 'interpreter')) {
      const t = l.transitionMs;
      checks.push({
        figure: `transition p50 / p95, one bead at a time, ${l.dag}, ${variant}`,
        measured: `${f1(t.p50)} / ${f1(t.p95)} ms`,
        goal: '≤ 12 / 25 ms',
        met: t.p50 <= 12 && t.p95 <= 25,
      });
    }
  }
  for (const t of (r.throughput ?? []).filter((x) => x.runner === 'interpreter')) {
    checks.push({
      figure: `turns/s, ${t.concurrency} beads in flight, ${r.machine.cores} cores`,
      measured: f1(t.steadyTurnsPerSecond),
      goal: '≥ 100 at 500 in flight',
      met: t.concurrency >= 500 ? t.steadyTurnsPerSecond >= 100 : undefined,
    });
  }
  if (r.lock) {
    const h = r.lock.withLock.handoffMs;
    checks.push({ figure: 'commit-lock hand-off p50', measured: `${f1(h.p50)} ms`, goal: '≤ 20 ms', met: h.p50 <= 20 });
  }
  const scale = r.scale?.find((s) => s.runner === 'interpreter');
  if (scale) {
    const rss = scale.whileParked.workerRssBytes;
    const mb = rss === undefined ? NaN : rss / 2 ** 20;
    checks.push({
      figure: `worker RSS, ${scale.parked.toLocaleString('en-US')} beads parked (cache ${scale.cacheSize})`,
      measured: `${f1(mb)} MB`,
      goal: '≤ 500 MB at 10,000',
      // Fewer parked beads than the goal's say nothing about it either way.
      met: scale.parked >= 10_000 && Number.isFinite(mb) ? mb <= 500 : undefined,
    });
  }
  const starts = (r.workerStarts ?? []).map((s) => s.startToPollMs);
  if (starts.length) {
    const p50 = percentile(starts, 50);
    checks.push({
      figure: `worker start to first poll, p50 of ${starts.length} start${starts.length > 1 ? 's' : ''}`,
      measured: `${f1(p50 / 1000)} s (max ${f1(Math.max(...starts) / 1000)} s)`,
      goal: '≤ 2 s',
      met: p50 <= 2000,
    });
  }
  return checks;
}

/** The goals table: one row per figure, "yes", "no" or "not measured". */
export function renderGoals(checks: GoalCheck[]): string {
  return renderTable(
    ['figure', 'measured', 'goal', 'met'],
    checks.map((g) => [g.figure, g.measured, g.goal, g.met === undefined ? 'not measured' : g.met ? 'yes' : 'no']),
  );
}
