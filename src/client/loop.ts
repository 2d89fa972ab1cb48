/**
 * The backlog loop, like the step-format system's coordinator: it re-reads the ledger's backlog
 * every time it may start a bead, so a bead filed meanwhile (by a person, or as an agent's
 * follow-up) is weighed against the rest (backlog.ts: blocked, in review, in progress, open; then
 * priority; a bead waits for its dependencies). At most `concurrency` beads run at once; one that
 * waits for a person frees its slot. When a bead ends the loop files its agents' follow-ups.
 * Stops when nothing runs and nothing is ready, after `maxIterations` starts (default 500, a
 * safety limit against follow-ups that never end), on a critical failure (loop-critical.ts), or
 * when aborted. Beads it started keep running in Temporal either way.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Waiting } from '../ledger/backlog';
import { describeWaiting } from '../ledger/backlog';
import { markEnded, markInProgress, nextBacklogBeads } from '../ledger/beads';
import type { RunOptions } from '../shared/bead';
import type { Critical } from './loop-critical';
import { criticalError } from './loop-critical';
import { fileFollowUps } from './loop-follow-ups';
import { Running } from './loop-running';
import { startFromRow } from './loop-start';

export const DEFAULT_MAX_ITERATIONS = 500;

export interface LoopOptions {
  client: Client;
  pool: Pool;
  concurrency: number;
  /** Beads to start at most (default DEFAULT_MAX_ITERATIONS). */
  maxIterations?: number;
  /** Between looks at the backlog and the running beads (default 1 s). */
  pollMs?: number;
  taskQueue?: string;
  definitionsDir?: string;
  runOptions?: RunOptions;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export type LoopEvent = { beadId: string; definition?: string; reason?: string; status?: string; parent?: string };

export type StopReason = 'backlog empty' | 'max iterations' | 'critical' | 'aborted';

export interface LoopResult {
  started: LoopEvent[];
  skipped: LoopEvent[];
  /** Beads that ended while the loop watched them, with their final status. */
  finished: LoopEvent[];
  /** Beads left waiting for a person (or still running) when the loop stopped. */
  waiting: LoopEvent[];
  /** Follow-up beads filed from agents' answers (`parent`: the bead whose agent filed it). */
  followUps: LoopEvent[];
  /** Beads not started because a bead they depend on is not closed. */
  waitingOnDependencies: Waiting[];
  /** Follow-ups left out, and why. */
  warnings: string[];
  stoppedBecause: StopReason;
  /** One sentence: why the loop stopped and what to do next. */
  message: string;
  critical?: Critical;
}

export async function runBacklogLoop(opts: LoopOptions): Promise<LoopResult> {
  const log = opts.log ?? (() => undefined);
  const max = opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const result: LoopResult = {
    started: [],
    skipped: [],
    finished: [],
    waiting: [],
    followUps: [],
    waitingOnDependencies: [],
    warnings: [],
    stoppedBecause: 'backlog empty',
    message: '',
  };
  const running = new Running();
  const tried = new Set<string>();
  let left = 0;
  const stop = (critical: Critical) => ((result.critical = critical), log(`critical: ${critical.reason}`));

  while (!result.critical && !opts.signal?.aborted) {
    for (const ended of await running.refresh(log)) {
      result.finished.push({ beadId: ended.beadId, status: ended.status });
      if (ended.critical) stop(ended.critical);
      await afterBead(ended.beadId, ended.status, opts, result, log).catch((err) => stop(criticalError(err, `after ${ended.beadId}`)!));
    }
    if (result.critical) break;
    let ready = 0;
    try {
      const free = opts.concurrency - running.slotsTaken();
      const next = await nextBacklogBeads(opts.pool, Math.max(1, free), [...tried]);
      result.waitingOnDependencies = next.waiting;
      ready = next.beads.length;
      for (const row of free > 0 && result.started.length < max ? next.beads.slice(0, max - result.started.length) : []) {
        tried.add(row.id);
        const started = await startFromRow(row, opts, log);
        if ('skipped' in started) {
          result.skipped.push({ beadId: row.id, reason: started.skipped });
          continue;
        }
        await markInProgress(opts.pool, row.id);
        running.add(row.id, started.handle);
        result.started.push({ beadId: row.id, definition: started.definition });
        ready--;
      }
      left = ready;
    } catch (err) {
      stop(criticalError(err, 'reading the backlog or starting a bead')!);
      break;
    }
    const atMax = result.started.length >= max;
    if (running.slotsTaken() === 0 && (ready === 0 || atMax)) break;
    await sleep(opts.pollMs ?? 1_000, opts.signal);
  }
  result.waiting = running.ids().map((beadId) => ({ beadId }));
  finish(result, max, left, !!opts.signal?.aborted);
  return result;
}

/** A bead ended: its status in the ledger (dependents read it) and its agents' follow-ups filed. */
async function afterBead(beadId: string, status: string, opts: LoopOptions, result: LoopResult, log: (l: string) => void): Promise<void> {
  await markEnded(opts.pool, beadId, status);
  const { filed, warnings } = await fileFollowUps(opts.client, opts.pool, beadId);
  for (const w of warnings) log(`warning: ${w}`);
  result.warnings.push(...warnings);
  for (const f of filed) {
    result.followUps.push({ beadId: f.beadId, parent: beadId, reason: f.title });
    log(`${beadId} filed follow-up ${f.beadId} (${f.priority}${f.type ? `, ${f.type}` : ''}): ${f.title}`);
  }
}

function finish(result: LoopResult, max: number, ready: number, aborted: boolean): void {
  const waits = result.waitingOnDependencies.map(describeWaiting);
  if (result.critical) {
    result.stoppedBecause = 'critical';
    result.message = `stopped on a critical failure: ${result.critical.reason}`;
  } else if (aborted) {
    result.stoppedBecause = 'aborted';
    result.message = 'stopped by a signal; the beads it started keep running in Temporal';
  } else if (result.started.length >= max && (ready > 0 || waits.length > 0)) {
    result.stoppedBecause = 'max iterations';
    result.message =
      `stopped after --max-iterations ${max} beads with work left in the backlog; ` +
      'run `npx beadflow loop` again to go on, or raise --max-iterations (a bead filing follow-ups without end hits this limit)';
  } else {
    result.stoppedBecause = 'backlog empty';
    result.message = waits.length ? `nothing more can start: ${waits.join('; ')}` : 'the backlog is empty';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
