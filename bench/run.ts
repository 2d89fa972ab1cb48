/**
 * Runs the sections the options ask for, each against a fresh dev server and worker process (so
 * one section's leftovers never weigh on the next), and collects every figure in one document.
 */
import type { BenchOptions } from './args';
import type { Dag, Runner } from './beads';
import { RUNNERS, benchDags } from './beads';
import type { BenchContext } from './context';
import { openContext } from './context';
import type { Progress } from './progress';
import type { MachineDescription } from './report/machine';
import { describeMachine } from './report/machine';
import type { ServerVariant } from './server';
import type { CompareResult } from './sections/compare';
import { compareRunners } from './sections/compare';
import type { LatencyFigures } from './sections/latency';
import { measureLatency } from './sections/latency';
import type { LockFigures } from './sections/lock';
import { measureLock } from './sections/lock';
import type { ScaleFigures } from './sections/scale';
import { measureScale } from './sections/scale';
import type { ThroughputFigures } from './sections/throughput';
import { measureThroughput } from './sections/throughput';
import { resolveTemporalBinary } from '../src/temporal/binary';

export interface BenchResults {
  benchmark: 'beadflow';
  /** Bumped when the document's shape changes. */
  schema: 1;
  startedAt: string;
  durationMs: number;
  machine: MachineDescription;
  parameters: BenchOptions;
  latency?: Partial<Record<ServerVariant, LatencyFigures[]>>;
  compare?: Partial<Record<ServerVariant, CompareResult>>;
  throughput?: ThroughputFigures[];
  lock?: LockFigures;
  scale?: ScaleFigures;
}

/** The full attribution ladder on the persisted server; interpreter vs hand-written elsewhere. */
function compareRunnersFor(variant: ServerVariant): (dag: Dag) => Runner[] {
  return () => (variant === 'persisted' ? [...RUNNERS] : ['interpreter', 'hand-written']);
}

export async function runBenchmark(opts: BenchOptions, progress: Progress): Promise<BenchResults> {
  const started = Date.now();
  const binary = await resolveTemporalBinary({ log: (l) => progress.note(l) });
  const results: BenchResults = { benchmark: 'beadflow', schema: 1, startedAt: new Date(started).toISOString(), durationMs: 0, machine: await describeMachine(binary), parameters: opts, };
  const dags = benchDags();
  const linear = dags.find((d) => d.name === 'linear')!;
  const want = (s: BenchOptions['sections'][number]) => opts.sections.includes(s);
  const withContext = async <T>(variant: ServerVariant, what: string, fn: (ctx: BenchContext) => Promise<T>): Promise<T> => {
    progress.note(`— ${what} (${variant} server) —`);
    const ctx = await openContext(variant, binary, { activityConcurrency: opts.activityConcurrency, maxCachedWorkflows: opts.maxCachedWorkflows }, progress, opts.dynamicConfig);
    try {
      return await fn(ctx);
    } finally {
      await ctx.close();
    }
  };

  for (const variant of opts.servers) {
    if (!want('latency') && !want('compare')) break;
    await withContext(variant, 'interpreter vs hand-written', async (ctx) => {
      if (want('latency')) {
        results.latency ??= {};
        results.latency[variant] = await measureLatency(ctx, dags, ['interpreter', 'hand-written'], opts.latencyBeads);
      }
      if (want('compare')) {
        results.compare ??= {};
        results.compare[variant] = await compareRunners(ctx, dags, { runners: compareRunnersFor(variant), beads: opts.beads, concurrency: opts.concurrency, warmupBeads: 10, profileSample: 5 });
      }
    });
  }
  const main = opts.servers[0];
  if (want('throughput')) {
    results.throughput = await withContext(main, 'throughput', (ctx) => measureThroughput(ctx, linear, { runners: ['interpreter'], concurrency: opts.throughputConcurrency, beads: opts.throughputBeads }));
  }
  if (want('lock')) results.lock = await withContext(main, 'commit lock', (ctx) => measureLock(ctx, opts.lockBeads));
  if (want('scale')) results.scale = await withContext(main, 'scale', (ctx) => measureScale(ctx, opts.parked, opts.maxCachedWorkflows));
  results.durationMs = Date.now() - started;
  return results;
}
