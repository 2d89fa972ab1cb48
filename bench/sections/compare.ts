/**
 * Section 1 (interpreter vs hand-written) and 2 (transition latency): the same DAGs run N times by
 * beadWorkflow, by the hand-written workflows, and by the hand-written ones plus beadWorkflow's
 * search-attribute upserts, in mirrored rounds (A B C C B A) so drift hits every runner alike.
 */
import type { BenchContext, CpuSample } from '../context';
import { cpuPerTurn, cpuSpent } from '../context';
import type { Dag, Runner } from '../beads';
import { beadInput, startRun } from '../beads';
import type { Equivalence } from '../equivalence';
import { compareTurnInputs } from '../equivalence';
import type { GapName, HistoryProfile } from '../history';
import { GAP_NAMES, profileHistory, transitionLatencies } from '../history';
import { closedLoop } from '../load';
import type { Summary } from '../stats';
import { ratePerSecond, ratio, summarize } from '../stats';
import type { TurnRecord } from '../worker-protocol';

export interface RunnerFigures {
  dag: string;
  runner: Runner;
  beads: number;
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
  beadMs: Summary;
  transitionMs: Summary;
  failures: string[];
  /** CPU ms per agent turn, by process. */
  cpuMsPerTurn: CpuSample;
}

export interface ProfileFigures {
  dag: string;
  runner: Runner;
  sampledBeads: number;
  eventsPerBead: number;
  historyBytesPerBead: number;
  workflowTasksPerBead: number;
  eventsByType: Record<string, number>;
  gapsMs: Record<GapName, Summary>;
}

export interface CompareResult {
  concurrency: number;
  beadsPerRunner: number;
  runs: RunnerFigures[];
  /** interpreter wall time / hand-written wall time, per DAG (same beads, same turns). */
  /** Wall time of each runner / the hand-written one's, per DAG (same beads, same turns). */
  ratios: Array<{ dag: string; interpreterVsHand: number; vsHand: Partial<Record<Runner, number>> }>;
  equivalence: Array<{ dag: string } & Equivalence>;
  profiles: ProfileFigures[];
}

export interface CompareOptions {
  /** Runners measured on each DAG; always includes interpreter and hand-written. */
  runners: (dag: Dag) => Runner[];
  beads: number;
  concurrency: number;
  warmupBeads: number;
  profileSample: number;
}

export interface Segment {
  wallMs: number;
  cpu: CpuSample;
  beadMs: number[];
  turns: TurnRecord[];
  ids: string[];
  failures: string[];
}

export async function runSegment(
  ctx: BenchContext,
  runner: Runner,
  dag: Dag,
  count: number,
  concurrency: number,
  label: string,
): Promise<Segment> {
  const beadMs: number[] = [];
  const ids: string[] = [];
  const cpuBefore = ctx.cpu();
  const load = await closedLoop({
    count,
    concurrency,
    run: async () => {
      const id = ctx.beadId(`${dag.name}-${runner}`);
      ids.push(id);
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
    onProgress: (done) => ctx.progress.tick(label, done, count),
  });
  const cpu = cpuSpent(cpuBefore, ctx.cpu());
  const turns = await ctx.worker.drainTurns();
  return { wallMs: load.wallMs, cpu, beadMs, turns, ids, failures: load.failures };
}

export async function profile(ctx: BenchContext, dag: Dag, runner: Runner, seg: Segment, sample: number): Promise<ProfileFigures> {
  const ids = seg.ids.slice(-sample);
  const profiles: HistoryProfile[] = [];
  for (const id of ids) {
    const history = await ctx.client.workflow.getHandle(id).fetchHistory();
    profiles.push(
      profileHistory(
        history,
        seg.turns.filter((t) => t.beadId === id),
      ),
    );
  }
  const avg = (f: (p: HistoryProfile) => number) => profiles.reduce((s, p) => s + f(p), 0) / Math.max(1, profiles.length);
  const eventsByType: Record<string, number> = {};
  for (const p of profiles)
    for (const [k, v] of Object.entries(p.eventsByType)) eventsByType[k] = (eventsByType[k] ?? 0) + v / profiles.length;
  const gapsMs = Object.fromEntries(GAP_NAMES.map((g) => [g, summarize(profiles.flatMap((p) => p.gaps[g]))])) as Record<GapName, Summary>;
  return {
    dag: dag.name,
    runner,
    sampledBeads: profiles.length,
    eventsPerBead: avg((p) => p.events),
    historyBytesPerBead: avg((p) => p.bytes),
    workflowTasksPerBead: avg((p) => p.workflowTasks),
    eventsByType,
    gapsMs,
  };
}

/** The equivalence check: one bead per runner with full inputs kept, run one at a time. */
async function checkEquivalence(ctx: BenchContext, dag: Dag): Promise<Equivalence> {
  const ids = { interpreter: ctx.beadId(`${dag.name}-eq-interp`), hand: ctx.beadId(`${dag.name}-eq-hand`) };
  await ctx.worker.keepInputs([ids.interpreter, ids.hand]);
  for (const [runner, id] of [
    ['interpreter', ids.interpreter],
    ['hand-written', ids.hand],
  ] as const) {
    await (
      await startRun(ctx.client, runner, dag, beadInput(id, dag.definition, ctx.roleQueuePrefix, dag.scenario), ctx.taskQueue)
    ).result();
  }
  const turns = await ctx.worker.drainTurns();
  return compareTurnInputs(
    turns.filter((t) => t.beadId === ids.interpreter),
    turns.filter((t) => t.beadId === ids.hand),
  );
}

export async function compareRunners(ctx: BenchContext, dags: Dag[], opts: CompareOptions): Promise<CompareResult> {
  const result: CompareResult = {
    concurrency: opts.concurrency,
    beadsPerRunner: opts.beads,
    runs: [],
    ratios: [],
    equivalence: [],
    profiles: [],
  };
  for (const dag of dags) {
    const equivalence = await checkEquivalence(ctx, dag);
    result.equivalence.push({ dag: dag.name, ...equivalence });
    if (!equivalence.identical)
      ctx.progress.note(`WARNING ${dag.name}: interpreter and hand-written turn inputs differ: ${equivalence.difference}`);
    const runners = opts.runners(dag);
    for (const runner of runners)
      await runSegment(ctx, runner, dag, opts.warmupBeads, Math.min(opts.concurrency, opts.warmupBeads), `${dag.name} warm-up ${runner}`);

    const segments = new Map<Runner, Segment[]>(runners.map((r) => [r, []]));
    const halves = [Math.ceil(opts.beads / 2), Math.floor(opts.beads / 2)];
    const order = [...runners, ...[...runners].reverse()];
    for (const [i, runner] of order.entries()) {
      const count = halves[i < runners.length ? 0 : 1];
      if (count > 0)
        segments
          .get(runner)!
          .push(await runSegment(ctx, runner, dag, count, opts.concurrency, `${dag.name} ${runner} (round ${i + 1}/${order.length})`));
    }
    for (const runner of runners) {
      const segs = segments.get(runner)!;
      const turns = segs.flatMap((s) => s.turns);
      const wallMs = segs.reduce((s, x) => s + x.wallMs, 0);
      const figures: RunnerFigures = {
        dag: dag.name,
        runner,
        beads: segs.reduce((s, x) => s + x.beadMs.length, 0),
        turns: turns.length,
        wallMs,
        turnsPerSecond: ratePerSecond(turns.length, wallMs),
        beadMs: summarize(segs.flatMap((s) => s.beadMs)),
        transitionMs: summarize(transitionLatencies(turns)),
        failures: segs.flatMap((s) => s.failures),
        cpuMsPerTurn: cpuPerTurn(
          segs.map((s) => s.cpu),
          turns.length,
        ),
      };
      result.runs.push(figures);
      ctx.progress.note(
        `${dag.name} ${runner}: ${figures.beads} beads in ${(wallMs / 1000).toFixed(1)} s, ${figures.turnsPerSecond.toFixed(0)} turns/s, transition p50 ${figures.transitionMs.p50.toFixed(1)} ms; CPU ms/turn server ${figures.cpuMsPerTurn.server.toFixed(1)} worker ${figures.cpuMsPerTurn.worker.toFixed(1)} bench ${figures.cpuMsPerTurn.bench.toFixed(1)}`,
      );
      result.profiles.push(await profile(ctx, dag, runner, segs[segs.length - 1], opts.profileSample));
    }
    const wall = (r: Runner) => result.runs.find((x) => x.dag === dag.name && x.runner === r)!.wallMs;
    const vsHand = Object.fromEntries(runners.map((r) => [r, ratio(wall(r), wall('hand-written'))]));
    result.ratios.push({ dag: dag.name, interpreterVsHand: ratio(wall('interpreter'), wall('hand-written')), vsHand });
  }
  return result;
}
