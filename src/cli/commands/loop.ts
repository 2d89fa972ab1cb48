import type { Command } from 'commander';
import { runBacklogLoop } from '../../client/loop';
import { parseDuration } from '../../dsl/duration';
import { WORKFLOW_TASK_QUEUE } from '../../shared/roles';
import { action } from '../action';
import { connectClient } from '../connection';
import { usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

interface LoopFlags {
  concurrency: string;
  maxIterations?: string;
  poll: string;
  definitions?: string;
  taskQueue: string;
  json?: boolean;
}

/** `loop`: works the ledger's backlog, starting beads in priority order, N at a time. */
export function register(program: Command): void {
  program
    .command('loop')
    .description('start the backlog: open beads from the ledger in priority order, at most N running at once, until it is empty')
    .option('--concurrency <n>', 'beads running at once (a bead waiting for a person does not count)', '2')
    .option('--max-iterations <n>', 'start at most this many beads, then stop')
    .option('--poll <duration>', 'how often to look at the backlog and the running beads', '1s')
    .option('--definitions <dir>', 'extra definitions directory (BEADFLOW_DEFINITIONS)')
    .option('--task-queue <name>', 'workflow task queue', process.env.BEADFLOW_TASK_QUEUE || WORKFLOW_TASK_QUEUE)
    .option('--json', 'machine-readable summary')
    .action(
      action(async (flags: LoopFlags) => {
        const concurrency = whole(flags.concurrency, '--concurrency');
        const maxIterations = flags.maxIterations === undefined ? undefined : whole(flags.maxIterations, '--max-iterations');
        const pollMs = parseDuration(flags.poll);
        if (pollMs === undefined || pollMs < 50)
          throw usageError(`--poll must be a duration of at least 50ms, not "${flags.poll}"`, 'write it like 500ms, 1s or 1m');
        const controller = new AbortController();
        const stop = () => {
          process.stderr.write('loop: stopping (started beads keep running in Temporal)\n');
          controller.abort();
        };
        process.once('SIGINT', stop).once('SIGTERM', stop);
        const client = await connectClient();
        try {
          const result = await withLedger((ledger) =>
            runBacklogLoop({
              client,
              pool: ledger.pool,
              concurrency,
              maxIterations,
              pollMs,
              taskQueue: flags.taskQueue,
              definitionsDir: flags.definitions,
              signal: controller.signal,
              log: (line) => process.stderr.write(`loop: ${line}\n`),
            }),
          );
          if (flags.json) return printJson(result);
          const waiting = result.waiting.length ? `; waiting for a person: ${result.waiting.map((w) => w.beadId).join(', ')}` : '';
          process.stdout.write(
            `loop stopped (${result.stoppedBecause}): started ${result.started.length}, ended ${result.finished.length}, skipped ${result.skipped.length}${waiting}\n`,
          );
        } finally {
          process.off('SIGINT', stop).off('SIGTERM', stop);
          await client.connection.close();
        }
      }),
    );
}

function whole(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1) throw usageError(`${flag} must be a whole number of at least 1, not "${text}"`);
  return n;
}
