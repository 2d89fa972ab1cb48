/** The speed goals of issue 8, checked against a run's figures (reported, never asserted). */
import type { BenchResults } from '../run';

export interface GoalCheck {
  goal: string;
  measured: string;
  /** undefined = not measured in this run (section skipped, or too small to judge). */
  met?: boolean;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');

export function checkGoals(r: BenchResults): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const variant = r.parameters.servers[0];
  const compare = r.compare?.[variant];
  for (const ratio of compare?.ratios ?? []) {
    checks.push({
      goal: `interpreter / hand-written ≤ 1.10 (${ratio.dag}, ${variant})`,
      measured: f1(ratio.interpreterVsHand),
      met: ratio.interpreterVsHand <= 1.1,
    });
  }
  for (const l of (r.latency?.[variant] ?? []).filter((x) => x.runner === 'interpreter')) {
    const t = l.transitionMs;
    checks.push({
      goal: `transition p50 ≤ 15 ms, p95 ≤ 40 ms (${l.dag}, unloaded)`,
      measured: `p50 ${f1(t.p50)} ms, p95 ${f1(t.p95)} ms`,
      met: t.p50 <= 15 && t.p95 <= 40,
    });
  }
  if (r.lock) {
    const h = r.lock.withLock.handoffMs;
    checks.push({ goal: 'lock hand-off p50 ≤ 20 ms', measured: `p50 ${f1(h.p50)} ms (p95 ${f1(h.p95)} ms)`, met: h.p50 <= 20 });
  }
  for (const t of (r.throughput ?? []).filter((x) => x.runner === 'interpreter')) {
    const enough = t.concurrency >= 500;
    checks.push({
      goal: `≥ 100 transitions/s with 500 concurrent beads on 2 cores`,
      measured: `${f1(t.steadyTurnsPerSecond)}/s with ${t.concurrency} in flight on ${r.machine.cores} cores`,
      met: enough ? t.steadyTurnsPerSecond >= 100 : undefined,
    });
  }
  const scale = r.scale?.find((s) => s.runner === 'interpreter');
  if (scale) {
    const rss = scale.whileParked.workerRssBytes;
    const mb = rss === undefined ? NaN : rss / 2 ** 20;
    checks.push({
      goal: '10,000 parked beads with worker RSS ≤ 500 MB',
      measured: `${f1(mb)} MB with ${scale.parked.toLocaleString('en-US')} parked`,
      met: scale.parked >= 10_000 && Number.isFinite(mb) ? mb <= 500 : undefined,
    });
  }
  return checks;
}
