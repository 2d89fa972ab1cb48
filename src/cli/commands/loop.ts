import type { Command } from 'commander';
import type { LoopResult } from '../../client/loop';
import { DEFAULT_MAX_ITERATIONS, runBacklogLoop } from '../../client/loop';
import { parseDuration } from '../../dsl/duration';
import { EXIT_CODES } from '../../shared/errors';
import { WORKFLOW_TASK_QUEUE } from '../../shared/roles';
import { action } from '../action';
import { connectClient } from '../connection';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

interface LoopFlags {
  concurrency: string;
  maxIterations: string;
  poll: string;
  definitions?: string;
  taskQueue: string;
  json?: boolean;
}

/** `loop`: works the ledger's backlog (client/loop.ts), N beads at a time, filing agents' follow-ups. */
export function register(program: Command): void {
  program
    .command('loop')
    .description(
      "work the ledger's backlog: blocked, in review, in progress, then open beads, by priority, once their dependencies are closed; agents' follow-ups join it",
    )
    .option('--concurrency <n>', 'beads running at once (a bead waiting for a person does not count)', '2')
    .option('--max-iterations <n>', 'safety limit: start at most this many beads, then stop', String(DEFAULT_MAX_ITERATIONS))
    .option('--poll <duration>', 'how often to look at the backlog and the running beads', '1s')
    .option('--definitions <dir>', 'extra definitions directory (BEADFLOW_DEFINITIONS)')
    .option('--task-queue <name>', 'workflow task queue', process.env.BEADFLOW_TASK_QUEUE || WORKFLOW_TASK_QUEUE)
    .option('--json', 'machine-readable summary')
    .action(
      action(async (flags: LoopFlags) => {
        const concurrency = whole(flags.concurrency, '--concurrency');
        const maxIterations = whole(flags.maxIterations, '--max-iterations');
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
          // Ran out of iterations with work left: exit 3, like a --wait that ran out while beads go on.
          const ranOut = result.stoppedBecause === 'max iterations' ? EXIT_CODES.timeout : EXIT_CODES.ok;
          if (flags.json) {
            printJson(result);
            process.exitCode = result.critical ? EXIT_CODES.failed : ranOut;
            return;
          }
          process.stdout.write(`${summaryLine(result)}\n`);
          if (result.critical) throw new CliError(result.message, { hint: result.critical.hint });
          process.exitCode = ranOut;
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

/** The last line: why it stopped, what it did, what is left. */
export function summaryLine(result: LoopResult): string {
  const waiting = result.waiting.length ? `; waiting for a person: ${result.waiting.map((w) => w.beadId).join(', ')}` : '';
  const followUps = result.followUps.length ? `, follow-ups filed ${result.followUps.length}` : '';
  return (
    `loop stopped (${result.stoppedBecause}): started ${result.started.length}, ended ${result.finished.length}, ` +
    `skipped ${result.skipped.length}${followUps}${waiting}; ${result.message}`
  );
}
