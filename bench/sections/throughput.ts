/**
 * Throughput under load: many beads in flight at once (default 500, the goal's figure), the linear
 * DAG, closed loop. Turns per second over the steady part of the run (10%..90% of turns done), so
 * the ramp-up burst and the tail do not count.
 */
import type { Dag, Runner } from '../beads';
import { beadInput, startRun } from '../beads';
import type { BenchContext, CpuSample } from '../context';
import { cpuPerTurn, cpuSpent } from '../context';
import { transitionLatencies } from '../history';
import { closedLoop } from '../load';
import type { Summary } from '../stats';
import { percentile, ratePerSecond, summarize } from '../stats';

export interface ThroughputFigures {
  runner: Runner;
  dag: string;
  concurrency: number;
  beads: number;
  turns: number;
  wallMs: number;
  /** Turns per second between 10% and 90% of all turns finished. */
  steadyTurnsPerSecond: number;
  /** Turns per second over the whole run, ramp-up and tail included. */
  overallTurnsPerSecond: number;
  transitionMs: Summary;
  beadMs: Summary;
  cpuMsPerTurn: CpuSample;
  failures: string[];
}

export interface ThroughputOptions {
  runners: Runner[];
  concurrency: number;
  beads: number;
}

export async function measureThroughput(ctx: BenchContext, dag: Dag, opts: ThroughputOptions): Promise<ThroughputFigures[]> {
  const out: ThroughputFigures[] = [];
  for (const runner of opts.runners) {
    const beadMs: number[] = [];
    const cpuBefore = ctx.cpu();
    const label = `throughput ${runner} (${opts.concurrency} in flight)`;
    const load = await closedLoop({
      count: opts.beads,
      concurrency: opts.concurrency,
      run: async () => {
        const id = ctx.beadId(`load-${runner}`);
        const t0 = performance.now();
        const handle = await startRun(
          ctx.client,
          runner,
          dag,
          beadInput(id, dag.definition, ctx.roleQueuePrefix, dag.scenario),
          ctx.taskQueue,
        );
        await handle.result();
        beadMs.push(performance.now() - t0);
      },
      onProgress: (done) => ctx.progress.tick(label, done, opts.beads),
    });
    const cpu = cpuSpent(cpuBefore, ctx.cpu());
    const turns = await ctx.worker.drainTurns();
    const ends = turns.map((t) => t.end).sort((a, b) => a - b);
    const t10 = percentile(ends, 10);
    const t90 = percentile(ends, 90);
    const figures: ThroughputFigures = {
      runner,
      dag: dag.name,
      concurrency: opts.concurrency,
      beads: load.completed,
      turns: turns.length,
      wallMs: load.wallMs,
      steadyTurnsPerSecond: ratePerSecond(turns.length * 0.8, t90 - t10),
      overallTurnsPerSecond: ratePerSecond(turns.length, load.wallMs),
      transitionMs: summarize(transitionLatencies(turns)),
      beadMs: summarize(beadMs),
      cpuMsPerTurn: cpuPerTurn([cpu], turns.length),
      failures: load.failures,
    };
    ctx.progress.note(
      `throughput ${runner}: ${figures.steadyTurnsPerSecond.toFixed(0)} turns/s steady with ${opts.concurrency} beads in flight, transition p50 ${figures.transitionMs.p50.toFixed(0)} ms`,
    );
    out.push(figures);
  }
  return out;
}
