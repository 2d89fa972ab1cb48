import type { Command } from 'commander';
import { beadStatus } from '../../client/status';
import { action } from '../action';
import { connectClient } from '../connection';
import { formatState, printJson } from '../format';

export function register(program: Command): void {
  program
    .command('status')
    .description("show a bead's state: status, current node, who it waits on, history")
    .argument('<bead>', 'bead id')
    .option('--json', 'the `state` query as JSON (or, with no worker running, what the search attributes say)')
    .action(
      action(async (beadId: string, flags: { json?: boolean }) => {
        const answer = await beadStatus(await connectClient(), beadId);
        if (answer.source === 'query') {
          if (flags.json) printJson(answer.state);
          else process.stdout.write(`${formatState(answer.state)}\n`);
          return;
        }
        if (flags.json) return printJson(answer);
        process.stdout.write(
          [
            `bead        ${answer.beadId}`,
            `status      ${answer.status}  (Temporal: ${answer.executionStatus.toLowerCase()})`,
            `node        ${answer.currentNode || '-'}${answer.requiredRole ? `  (waiting on ${answer.requiredRole})` : ''}`,
            `note        ${answer.note}`,
          ].join('\n') + '\n',
        );
      }),
    );
}
