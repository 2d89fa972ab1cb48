import type { Command } from 'commander';
import { prepareBead } from '../../client/prepare';
import { FollowStopped, followBead } from '../../client/follow';
import { parseDuration } from '../../dsl/duration';
import { EXIT_CODES } from '../../shared/errors';
import type { BeadState } from '../../workflows/messages';
import { startBeadRun } from '../../client/start';
import { action } from '../action';
import { connectClient } from '../connection';
import { usageError } from '../errors';
import { formatEntry, formatState, parkedLine, printJson } from '../format';

interface StartFlags {
  title: string;
  type?: string;
  definition?: string;
  definitions?: string;
  description?: string;
  priority?: string;
  label?: string[];
  repo?: string;
  scenario?: string;
  id?: string;
  wait?: boolean;
  timeout?: string;
  json?: boolean;
}

export function registerBeadStart(bead: Command): void {
  bead
    .command('start')
    .description('start a bead: prints its id (= its workflow id)')
    .requiredOption('--title <title>', 'what is wrong or wanted')
    .option('--type <type>', 'bug, feature, ui, ... (picks the definition)')
    .option('--definition <file|id>', 'definition file or id (default: chosen from type, labels, title)')
    .option('--definitions <dir>', 'extra definitions directory (BEADFLOW_DEFINITIONS)')
    .option('--description <text>', 'details for the agents')
    .option('--priority <P0..P4>', 'priority', 'P2')
    .option('--label <label...>', 'labels (used to pick the definition)')
    .option('--repo <path>', 'git repository the bead commits to (BEADFLOW_REPO)')
    .option('--scenario <file>', 'scripted agents: outcomes per node for this bead')
    .option('--id <beadId>', 'use this bead id instead of a generated one')
    .option('--wait', 'follow the bead and print its final state; says when it parks for a person')
    .option('--timeout <duration>', 'with --wait: stop following after this long (e.g. 90s, 10m); exit 3, the bead keeps running')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: StartFlags) => {
        const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout.trim());
        if (timeoutMs === undefined && flags.timeout !== undefined)
          throw usageError(`--timeout "${flags.timeout}" is not a duration`, 'write it like 90s, 10m or 1h30m');
        if (timeoutMs !== undefined && !flags.wait)
          throw usageError('--timeout needs --wait', 'add --wait to follow the bead, or leave --timeout out');
        const { input, selectedBy, warnings } = prepareBead({
          title: flags.title,
          type: flags.type,
          definition: flags.definition,
          definitionsDir: flags.definitions,
          description: flags.description,
          priority: flags.priority,
          labels: flags.label,
          repo: flags.repo,
          scenarioFile: flags.scenario,
          beadId: flags.id,
        });
        for (const w of warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        const client = await connectClient();
        const handle = await startBeadRun(client, input);
        if (!flags.wait) {
          if (flags.json) printJson({ beadId: input.bead.id, definition: input.definition.id, selectedBy });
          else process.stdout.write(`${input.bead.id}\n`);
          if (!flags.json) process.stderr.write(`started with ${selectedBy}\n`);
          return;
        }
        if (!flags.json) process.stderr.write(`${input.bead.id} started with ${selectedBy}\n`);
        const stop = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
        let state: BeadState;
        try {
          state = await followBead(handle, {
            signal: stop,
            onEntry: (e) => !flags.json && process.stderr.write(`${formatEntry(e)}\n`),
            onPark: (s) => process.stderr.write(`${parkedLine(s)}\n`),
          });
        } catch (err) {
          if (!(err instanceof FollowStopped)) throw err;
          const last = err.lastState;
          if (flags.json) printJson({ beadId: input.bead.id, stillRunning: true, state: last ?? null });
          else
            process.stderr.write(
              `stopped following after ${flags.timeout}: ${input.bead.id} is still ${last?.status ?? 'running'}${last?.currentNode ? ` at ${last.currentNode}` : ''}; see it with \`npx beadflow status ${input.bead.id}\`\n`,
            );
          process.exitCode = EXIT_CODES.timeout;
          return;
        }
        if (flags.json) printJson(state);
        else process.stdout.write(`${formatState(state)}\n`);
        if (state.status !== 'completed') process.exitCode = EXIT_CODES.failed;
      }),
    );
}
