/**
 * Scale: B beads parked at a person's approval (bench/definitions/parked.yaml). How long starting
 * them takes, what the worker and the server hold in memory while they wait, and how long it takes
 * to approve them all (one `approve` signal each) and see every one complete. With `hand-written`
 * the same with a minimal workflow (wait for the signal, one turn): the SDK's own floor.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Runner } from '../beads';
import { beadInput, loadBenchDefinition } from '../beads';
import type { BenchContext } from '../context';
import { mapLimit } from '../load';
import { rssOf } from '../server';
import { startBeadRun } from '../../src/client/start';
import { BEAD_ID, BEAD_TYPE } from '../../src/shared/search-attributes';
import { sleep as delay } from '../../src/system/process';

export interface ScaleFigures {
  runner: Extract<Runner, 'interpreter' | 'hand-written'>;
  parked: number;
  /** All start calls returned. */
  startMs: number;
  /** Every bead is waiting for its approval. */
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
  return {
    workerRssBytes: rssOf(ctx.worker.pid) ?? worker?.rssBytes,
    workerHeapUsedBytes: worker?.heapUsedBytes,
    serverRssBytes: rssOf(ctx.server.handle.pid),
  };
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`scale: ${what} did not happen within ${timeoutMs / 1000}s`);
    await delay(250);
  }
}

/** Polls a visibility count until it reaches `target`. */
function countReaches(ctx: BenchContext, query: string, target: number, label: string): () => Promise<boolean> {
  return async () => {
    const { count } = await ctx.client.workflow.count(query);
    ctx.progress.tick(label, count, target);
    return count >= target;
  };
}

/** The hand-written beads publish no status: parked = their first workflow task is done (the latest started ones, sampled). */
function lastOnesParked(handles: WorkflowHandle[]): () => Promise<boolean> {
  return async () => {
    const sample = handles.slice(-20);
    const lengths = await Promise.all(sample.map(async (h) => (await h.describe()).historyLength));
    return lengths.every((n) => n >= 4);
  };
}

export async function measureScale(
  ctx: BenchContext,
  parked: number,
  cacheSize: number,
  runner: ScaleFigures['runner'] = 'interpreter',
): Promise<ScaleFigures> {
  const definition = loadBenchDefinition('parked.yaml');
  const idle = await memory(ctx);
  const ids = Array.from({ length: parked }, () => ctx.beadId(`parked-${runner}`));
  const label = runner === 'interpreter' ? 'scale' : 'scale (hand-written)';
  const t0 = performance.now();
  let started = 0;
  const handles = await mapLimit(ids, IN_FLIGHT, async (id) => {
    const input = beadInput(id, definition, ctx.roleQueuePrefix);
    const handle =
      runner === 'interpreter'
        ? await startBeadRun(ctx.client, input, ctx.taskQueue)
        : await ctx.client.workflow.start('handParked', {
            workflowId: id,
            taskQueue: ctx.taskQueue,
            args: [input],
            typedSearchAttributes: [
              { key: BEAD_ID, value: id },
              { key: BEAD_TYPE, value: input.bead.type },
            ],
          });
    ctx.progress.tick(`${label}: starting beads`, ++started, parked);
    return handle;
  });
  const startMs = performance.now() - t0;
  const scope = `TaskQueue = "${ctx.taskQueue}"`;
  const timeoutMs = Math.max(120_000, parked * 100);
  await waitUntil(
    'parking',
    timeoutMs,
    runner === 'interpreter'
      ? countReaches(ctx, `${scope} AND BeadStatus = "waiting_approval"`, parked, `${label}: beads parked`)
      : lastOnesParked(handles),
  );
  const parkedMs = performance.now() - t0;
  await delay(2_000); // let the worker settle (GC, caches) before reading memory
  const whileParked = await memory(ctx);
  ctx.progress.note(
    `${label}: ${parked} beads parked in ${(parkedMs / 1000).toFixed(1)} s; worker RSS ${mb(whileParked.workerRssBytes)}, server RSS ${mb(whileParked.serverRssBytes)}`,
  );

  const t1 = performance.now();
  let signalled = 0;
  await mapLimit(handles, IN_FLIGHT, async (handle) => {
    await handle.signal('approve', { by: 'Product Manager', reason: 'benchmark', requestId: `bench-${handle.workflowId}` });
    ctx.progress.tick(`${label}: approving`, ++signalled, parked);
  });
  const signalMs = performance.now() - t1;
  await waitUntil(
    'completion',
    timeoutMs,
    countReaches(ctx, `${scope} AND ExecutionStatus = "Completed"`, parked, `${label}: beads completed`),
  );
  const approveToCompleteMs = performance.now() - t1;
  ctx.progress.note(`${label}: approved and completed in ${(approveToCompleteMs / 1000).toFixed(1)} s`);
  return { runner, parked, startMs, parkedMs, idle, whileParked, signalMs, approveToCompleteMs, cacheSize };
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`;
}
