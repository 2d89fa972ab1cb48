/**
 * Scale: B beads parked at a person's approval (bench/definitions/parked.yaml). How long starting
 * them takes, what the worker and the server hold in memory while they wait, and how long it takes
 * to approve them all (one `approve` signal each) and see every one complete.
 */
import { beadInput, loadBenchDefinition } from '../beads';
import type { BenchContext } from '../context';
import { mapLimit } from '../load';
import { rssOf } from '../server';
import { startBeadRun } from '../../src/client/start';
import { delay } from '../../src/temporal/process';

export interface ScaleFigures {
  parked: number;
  /** All start calls returned. */
  startMs: number;
  /** Every bead reported waiting_approval (visibility). */
  parkedMs: number;
  idle: MemoryFigures;
  whileParked: MemoryFigures;
  /** All approve signals delivered. */
  signalMs: number;
  /** From the first signal until every bead completed (visibility). */
  approveToCompleteMs: number;
  cacheSize: number;
}

export interface MemoryFigures {
  workerRssBytes?: number;
  workerHeapUsedBytes?: number;
  serverRssBytes?: number;
}

const IN_FLIGHT = 50;

async function memory(ctx: BenchContext): Promise<MemoryFigures> {
  const worker = await ctx.worker.memory();
  return { workerRssBytes: rssOf(ctx.worker.pid) ?? worker?.rssBytes, workerHeapUsedBytes: worker?.heapUsedBytes, serverRssBytes: rssOf(ctx.server.handle.pid) };
}

/** Polls a visibility count until it reaches `target`; returns the elapsed ms. */
async function waitForCount(ctx: BenchContext, query: string, target: number, label: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { count } = await ctx.client.workflow.count(query);
    ctx.progress.tick(label, count, target);
    if (count >= target) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`scale: only ${count} of ${target} beads reached "${query}" within ${timeoutMs / 1000}s`);
    await delay(250);
  }
}

export async function measureScale(ctx: BenchContext, parked: number, cacheSize: number): Promise<ScaleFigures> {
  const definition = loadBenchDefinition('parked.yaml');
  const idle = await memory(ctx);
  const ids = Array.from({ length: parked }, () => ctx.beadId('parked'));
  const t0 = performance.now();
  let started = 0;
  await mapLimit(ids, IN_FLIGHT, async (id) => {
    await startBeadRun(ctx.client, beadInput(id, definition, ctx.roleQueuePrefix), ctx.taskQueue);
    ctx.progress.tick('scale: starting beads', ++started, parked);
  });
  const startMs = performance.now() - t0;
  const scope = `TaskQueue = "${ctx.taskQueue}"`;
  const timeoutMs = Math.max(120_000, parked * 100);
  await waitForCount(ctx, `${scope} AND BeadStatus = "waiting_approval"`, parked, 'scale: beads parked', timeoutMs);
  const parkedMs = performance.now() - t0;
  await delay(2_000); // let the worker settle (GC, caches) before reading memory
  const whileParked = await memory(ctx);
  ctx.progress.note(`scale: ${parked} beads parked in ${(parkedMs / 1000).toFixed(1)} s; worker RSS ${mb(whileParked.workerRssBytes)}, server RSS ${mb(whileParked.serverRssBytes)}`);

  const t1 = performance.now();
  let signalled = 0;
  await mapLimit(ids, IN_FLIGHT, async (id) => {
    await ctx.client.workflow.getHandle(id).signal('approve', { by: 'Product Manager', reason: 'benchmark', requestId: `bench-${id}` });
    ctx.progress.tick('scale: approving', ++signalled, parked);
  });
  const signalMs = performance.now() - t1;
  await waitForCount(ctx, `${scope} AND ExecutionStatus = "Completed"`, parked, 'scale: beads completed', timeoutMs);
  const approveToCompleteMs = performance.now() - t1;
  ctx.progress.note(`scale: approved and completed in ${(approveToCompleteMs / 1000).toFixed(1)} s`);
  return { parked, startMs, parkedMs, idle, whileParked, signalMs, approveToCompleteMs, cacheSize };
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`;
}
