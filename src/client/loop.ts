/**
 * The backlog loop: starts the ledger's open beads in backlog order (P0 first; then blocked, in
 * review, in progress, open; then oldest), at most `concurrency` running at once, picking up beads
 * created while it runs. A bead holds a slot while its status is `running`; one that waits for a
 * person (approval, escalation) frees its slot, since the loop cannot hurry a person. Stops when
 * nothing runs and the backlog is empty, after `maxIterations` starts, or when aborted; beads it
 * started keep running in Temporal either way.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { BeadflowError } from '../shared/errors';
import type { BeadRow } from '../ledger/beads';
import { markInProgress, nextBacklogBeads } from '../ledger/beads';
import type { RunOptions } from '../shared/bead';
import { WORKFLOW_TASK_QUEUE } from '../shared/roles';
import type { BeadState } from '../workflows/messages';
import { prepareBead } from './prepare';
import type { BeadHandle } from './start';
import { startBeadRun } from './start';

export interface LoopOptions {
  client: Client;
  pool: Pool;
  concurrency: number;
  /** Beads to start at most (default: no limit). */
  maxIterations?: number;
  /** Between looks at the backlog and the running beads (default 1 s). */
  pollMs?: number;
  taskQueue?: string;
  definitionsDir?: string;
  runOptions?: RunOptions;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export type LoopEvent = { beadId: string; definition?: string; reason?: string; status?: string };

export interface LoopResult {
  started: LoopEvent[];
  skipped: LoopEvent[];
  /** Beads that ended while the loop watched them, with their final status. */
  finished: LoopEvent[];
  /** Beads left waiting for a person when the loop stopped. */
  waiting: LoopEvent[];
  stoppedBecause: 'backlog empty' | 'max iterations' | 'aborted';
}

export async function runBacklogLoop(opts: LoopOptions): Promise<LoopResult> {
  const log = opts.log ?? (() => undefined);
  const pollMs = opts.pollMs ?? 1_000;
  const running = new Map<string, BeadHandle>();
  const waiting = new Map<string, BeadHandle>();
  const tried = new Set<string>();
  const result: LoopResult = { started: [], skipped: [], finished: [], waiting: [], stoppedBecause: 'backlog empty' };
  const maxReached = () => opts.maxIterations !== undefined && result.started.length >= opts.maxIterations;

  for (;;) {
    await refresh(running, waiting, result, log);
    let backlogEmpty = false;
    const free = opts.concurrency - running.size;
    if (!maxReached() && !opts.signal?.aborted && free > 0) {
      const beads = await nextBacklogBeads(opts.pool, Math.min(free, (opts.maxIterations ?? Infinity) - result.started.length), [...tried]);
      backlogEmpty = beads.length === 0;
      for (const row of beads) {
        tried.add(row.id);
        const handle = await start(row, opts, result, log);
        if (handle) running.set(row.id, handle);
      }
    }
    if (opts.signal?.aborted) result.stoppedBecause = 'aborted';
    else if (maxReached()) result.stoppedBecause = 'max iterations';
    const noMoreStarts = opts.signal?.aborted || maxReached() || backlogEmpty;
    if (noMoreStarts && (running.size === 0 || opts.signal?.aborted)) break;
    await sleep(pollMs, opts.signal);
  }
  await refresh(running, waiting, result, log);
  result.waiting = [...waiting.keys(), ...running.keys()].map((beadId) => ({ beadId }));
  return result;
}

async function start(row: BeadRow, opts: LoopOptions, result: LoopResult, log: (line: string) => void): Promise<BeadHandle | undefined> {
  try {
    const { input, selectedBy } = prepareFromRow(row, opts);
    const handle = await startBeadRun(opts.client, input, opts.taskQueue ?? WORKFLOW_TASK_QUEUE);
    await markInProgress(opts.pool, row.id);
    result.started.push({ beadId: row.id, definition: input.definition.id });
    log(`started ${row.id} (P${row.priority}, ${row.status}) with ${selectedBy}: ${row.title}`);
    return handle;
  } catch (err) {
    if (!(err instanceof BeadflowError)) throw err;
    result.skipped.push({ beadId: row.id, reason: err.message });
    log(`skipped ${row.id}: ${err.message}`);
    return undefined;
  }
}

/** The row's type picks the definition; a type no definition serves (bd's task, chore, epic) falls back to labels and title. */
function prepareFromRow(row: BeadRow, opts: LoopOptions): ReturnType<typeof prepareBead> {
  const req = {
    title: row.title || row.id,
    description: row.description,
    priority: `P${row.priority}`,
    labels: row.labels,
    beadId: row.id,
    definitionsDir: opts.definitionsDir,
    options: opts.runOptions,
  };
  try {
    return prepareBead({ ...req, type: row.type || undefined });
  } catch (err) {
    if (row.type && err instanceof BeadflowError && err.message.startsWith('no definition for type')) return prepareBead(req);
    throw err;
  }
}

/** Moves beads between running / waiting / finished by their Temporal state. */
async function refresh(
  running: Map<string, BeadHandle>,
  waiting: Map<string, BeadHandle>,
  result: LoopResult,
  log: (line: string) => void,
): Promise<void> {
  for (const [map, isRunning] of [
    [running, true],
    [waiting, false],
  ] as const) {
    for (const [beadId, handle] of map) {
      const desc = await handle.describe().catch(() => undefined);
      if (desc && desc.status.name !== 'RUNNING') {
        const state = await handle.query<BeadState>('state').catch(() => undefined);
        const status = state?.status ?? desc.status.name.toLowerCase();
        map.delete(beadId);
        result.finished.push({ beadId, status });
        log(`${beadId} ended: ${status}`);
        continue;
      }
      const state = await handle.query<BeadState>('state').catch(() => undefined);
      if (!state) continue;
      const nowRunning = state.status === 'running';
      if (nowRunning !== isRunning) {
        map.delete(beadId);
        (nowRunning ? running : waiting).set(beadId, handle);
        if (!nowRunning) log(`${beadId} waits for a person (${state.status} at ${state.currentNode}); its slot is free`);
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
