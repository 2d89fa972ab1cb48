/**
 * Node transition latency without load: beads run one at a time, so each figure is the engine's
 * own round trip (turn ends → next turn starts), not queueing behind other beads. The history
 * breakdown says where each transition's time goes (bench/history.ts).
 */
import type { Dag, Runner } from '../beads';
import type { BenchContext } from '../context';
import type { Summary } from '../stats';
import { summarize } from '../stats';
import { transitionLatencies } from '../history';
import type { ProfileFigures } from './compare';
import { profile, runSegment } from './compare';

export interface LatencyFigures {
  dag: string;
  runner: Runner;
  beads: number;
  transitionMs: Summary;
  breakdown: ProfileFigures;
}

export async function measureLatency(ctx: BenchContext, dags: Dag[], runners: Runner[], beads: number): Promise<LatencyFigures[]> {
  const out: LatencyFigures[] = [];
  for (const dag of dags) {
    for (const runner of runners) {
      await runSegment(ctx, runner, dag, 3, 1, `latency warm-up ${dag.name} ${runner}`);
      const seg = await runSegment(ctx, runner, dag, beads, 1, `latency ${dag.name} ${runner} (one bead at a time)`);
      const figures: LatencyFigures = {
        dag: dag.name,
        runner,
        beads,
        transitionMs: summarize(transitionLatencies(seg.turns)),
        breakdown: await profile(ctx, dag, runner, seg, beads),
      };
      ctx.progress.note(
        `latency ${dag.name} ${runner}: transition p50 ${figures.transitionMs.p50.toFixed(1)} ms, p95 ${figures.transitionMs.p95.toFixed(1)} ms`,
      );
      out.push(figures);
    }
  }
  return out;
}
