/**
 * Runs the sections the options ask for, each against a fresh dev server and worker process (so
 * one section's leftovers never weigh on the next), and collects every figure in one document.
 */
import * as os from 'node:os';
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
import type { GitTransportFigures } from './sections/git-transport';
import { measureGitTransport } from './sections/git-transport';
import type { ModelCallFigures } from './sections/model-calls';
import { measureModelCalls } from './sections/model-calls';
import type { ScaleFigures } from './sections/scale';
import { measureScale } from './sections/scale';
import type { ThroughputFigures } from './sections/throughput';
import { measureThroughput } from './sections/throughput';
import { redactUrl } from '../src/ledger/config';
import { resolveTemporalBinary } from '../src/temporal/binary';
import { KNOWN_ROLES } from '../src/shared/roles';
import { defaultWorkflowCache } from '../src/workers/options';

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
  scale?: ScaleFigures[];
  /** Model agents: a model call through the agentLoop workflow against one made directly. */
  llm?: ModelCallFigures;
  /** The bead's code by git: fetch/reset before a turn and commit/leased push after it, per turn. */
  git?: GitTransportFigures;
  /** 1-minute load average at the start and end of each section: others' work skews the figures. */
  load: Array<{ section: string; at: 'start' | 'end'; loadAverage1m: number }>;
  /** Each section's worker process: spawn → every worker polling, and the bundle + create part of it. */
  workerStarts?: WorkerStart[];
}

export interface WorkerStart {
  section: string;
  startToPollMs: number;
  createMs: number;
}

/** The full attribution ladder on the first server; interpreter vs hand-written elsewhere. */
function compareRunnersFor(first: boolean): (dag: Dag) => Runner[] {
  return () => (first ? [...RUNNERS] : ['interpreter', 'hand-written']);
}

export async function runBenchmark(opts: BenchOptions, progress: Progress): Promise<BenchResults> {
  const started = Date.now();
  const binary = await resolveTemporalBinary({ log: (l) => progress.note(l) });
  const results: BenchResults = {
    benchmark: 'beadflow',
    schema: 1,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    machine: await describeMachine(binary),
    parameters: { ...opts, ledgerUrl: opts.ledgerUrl && redactUrl(opts.ledgerUrl) },
    load: [],
  };
  const dags = benchDags();
  const linear = dags.find((d) => d.name === 'linear')!;
  const want = (s: BenchOptions['sections'][number]) => opts.sections.includes(s);
  // As `npm run worker` sizes it for these roles; the throughput section runs more beads at once than that.
  const defaultCache = opts.maxCachedWorkflows ?? defaultWorkflowCache(KNOWN_ROLES.length, opts.activityConcurrency);
  const cacheFor = (what: string) =>
    opts.maxCachedWorkflows ?? (what === 'throughput' ? Math.max(defaultCache, opts.throughputConcurrency) : defaultCache);
  const withContext = async <T>(variant: ServerVariant, what: string, fn: (ctx: BenchContext) => Promise<T>): Promise<T> => {
    progress.note(`— ${what} (${variant} server) —`);
    results.load.push({ section: `${what} (${variant})`, at: 'start', loadAverage1m: os.loadavg()[0] });
    const ctx = await openContext(
      variant,
      binary,
      { activityConcurrency: opts.activityConcurrency, maxCachedWorkflows: cacheFor(what), ledgerUrl: opts.ledgerUrl },
      progress,
      opts.dynamicConfig,
    );
    (results.workerStarts ??= []).push({
      section: `${what} (${variant})`,
      startToPollMs: ctx.worker.startToPollMs,
      createMs: ctx.worker.startupMs,
    });
    try {
      return await fn(ctx);
    } finally {
      results.load.push({ section: `${what} (${variant})`, at: 'end', loadAverage1m: os.loadavg()[0] });
      await ctx.close();
    }
  };

  for (const [i, variant] of opts.servers.entries()) {
    if (!want('latency') && !want('compare')) break;
    // Variants after the first get the linear DAG only: the 10-minute budget.
    const variantDags = i === 0 ? dags : [linear];
    await withContext(variant, 'interpreter vs hand-written', async (ctx) => {
      if (want('compare')) {
        results.compare ??= {};
        results.compare[variant] = await compareRunners(ctx, variantDags, {
          runners: compareRunnersFor(i === 0),
          beads: opts.beads,
          concurrency: opts.concurrency,
          warmupBeads: 10,
          profileSample: 5,
        });
      }
      // After the comparison, so the worker's JIT is warm and the figures are the engine's, not start-up's.
      if (want('latency')) {
        results.latency ??= {};
        results.latency[variant] = await measureLatency(ctx, variantDags, ['interpreter', 'hand-written'], opts.latencyBeads);
      }
    });
  }
  const main = opts.servers[0];
  if (want('throughput')) {
    const runners: Runner[] = opts.baselines ? ['interpreter', 'hand-written'] : ['interpreter'];
    results.throughput = await withContext(main, 'throughput', (ctx) =>
      measureThroughput(ctx, linear, { runners, concurrency: opts.throughputConcurrency, beads: opts.throughputBeads }),
    );
  }
  if (want('lock')) results.lock = await withContext(main, 'commit lock', (ctx) => measureLock(ctx, opts.lockBeads));
  if (want('scale')) {
    results.scale = [await withContext(main, 'scale', (ctx) => measureScale(ctx, opts.parked, defaultCache))];
    if (opts.baselines)
      results.scale.push(
        await withContext(main, 'scale, hand-written', (ctx) => measureScale(ctx, opts.parked, defaultCache, 'hand-written')),
      );
  }
  if (want('llm')) results.llm = await withContext(main, 'model calls', (ctx) => measureModelCalls(ctx, 6));
  if (want('git')) {
    progress.note('— git transport —');
    results.git = await measureGitTransport();
  }
  results.durationMs = Date.now() - started;
  return results;
}
