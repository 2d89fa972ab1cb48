import type { Command } from 'commander';
import { prepareBead } from '../../client/prepare';
import { followBead } from '../../client/follow';
import { startBeadRun } from '../../client/start';
import { action } from '../action';
import { connectClient } from '../connection';
import { formatEntry, formatState, printJson } from '../format';
import { usageError } from '../errors';
import { parseDuration } from '../../dsl/duration';
import type { BeadState } from '../../workflows/messages';

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

/** Who the parked bead waits on and the command that decides. */
function parkNotice(s: BeadState): string {
  if (s.status === 'escalated') {
    return `parked: ${s.beadId} is escalated at ${s.currentNode} (${s.escalation?.reason ?? '?'}); the CEO decides with \`npx beadflow override ${s.beadId} --by CEO --action retry|goto|continue|abort\``;
  }
  return `parked: ${s.beadId} waits at ${s.currentNode} for ${s.requiredRole || 'a decision'}; decide with \`npx beadflow approve ${s.beadId} --by "${s.requiredRole}"\` or \`npx beadflow reject ${s.beadId} --by "${s.requiredRole}" --reason ...\``;
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
        const { input, selectedBy } = prepareBead({
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
        const client = await connectClient();
        const handle = await startBeadRun(client, input);
        if (!flags.wait) {
          if (flags.json) printJson({ beadId: input.bead.id, definition: input.definition.id, selectedBy });
          else process.stdout.write(`${input.bead.id}\n`);
          if (!flags.json) process.stderr.write(`started with ${selectedBy}\n`);
          return;
        }
        if (!flags.json) process.stderr.write(`${input.bead.id} started with ${selectedBy}\n`);
        const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
        if (timeoutMs === undefined && flags.timeout !== undefined)
          throw usageError(`--timeout "${flags.timeout}" is not a duration`, 'use e.g. 90s, 10m or 1h');
        const state = await followBead(handle, {
          timeoutMs,
          onEntry: (e) => !flags.json && process.stderr.write(`${formatEntry(e)}\n`),
          onPark: (s) => !flags.json && process.stderr.write(`${parkNotice(s)}\n`),
        });
        if (flags.json) printJson(state);
        else process.stdout.write(`${formatState(state)}\n`);
        if (state.status !== 'completed') process.exitCode = 1;
      }),
    );
}
