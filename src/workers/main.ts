/**
 * `npm run worker [-- --roles "QA Engineer,Product Manager"] [--agent scripted] [--no-workflows]`
 * With no roles it serves the workflow queue and every role.
 */
import { NativeConnection } from '@temporalio/worker';
import { Command } from 'commander';
import { report } from '../cli/action';
import { CliError } from '../cli/errors';
import { temporalSettings } from '../cli/connection';
import { KNOWN_ROLES, canonicalRole, roleSlug } from '../shared/roles';
import { createProvider } from './providers';
import { WorkerSet } from './worker-set';

export function parseRoles(list: string | undefined): string[] {
  if (!list || !list.trim()) return [...KNOWN_ROLES];
  const roles = list.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !canonicalRole(r));
  if (unknown.length) {
    throw new CliError(`unknown role(s): ${unknown.join(', ')}`, { hint: `known roles: ${KNOWN_ROLES.join(', ')} (aliases like "QA" or "qa-engineer" work too)`, exitCode: 2 });
  }
  return roles.map((r) => canonicalRole(r)!);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('beadflow-worker')
    .option('--roles <list>', 'comma-separated roles to serve (default: all)', process.env.BEADFLOW_ROLES)
    .option('--agent <provider>', 'agent provider: scripted (default BEADFLOW_AGENT or scripted)')
    .option('--scenario <file>', 'scripted agents: default scenario (BEADFLOW_SCENARIO)')
    .option('--no-workflows', 'do not serve the workflow queue (agent turns only)')
    .option('--concurrency <n>', 'agent turns run at once per role', (v) => Number(v), Number(process.env.BEADFLOW_CONCURRENCY ?? 10))
    .option('--cache <n>', 'workflows kept in the sticky cache', (v) => Number(v), Number(process.env.BEADFLOW_WORKFLOW_CACHE ?? 1000))
    .parse(argv);
  const opts = program.opts<{ roles?: string; agent?: string; scenario?: string; workflows: boolean; concurrency: number; cache: number }>();
  const roles = parseRoles(opts.roles);
  const provider = createProvider({ agent: opts.agent, scenarioFile: opts.scenario });
  const settings = temporalSettings();
  const connection = await NativeConnection.connect({ address: settings.address }).catch((err: unknown) => {
    throw new CliError(`cannot reach the Temporal server at ${settings.address}: ${(err as Error).message}`, { hint: 'start one with `npx beadflow server`, or set TEMPORAL_ADDRESS' });
  });
  const set = await WorkerSet.create({
    connection,
    namespace: settings.namespace,
    workflows: opts.workflows,
    roles,
    provider,
    maxConcurrentActivityTaskExecutions: opts.concurrency,
    maxCachedWorkflows: opts.cache,
  });
  console.log(`beadflow worker: agent ${provider.name}; queues ${set.queues.join(', ')}; roles ${roles.map(roleSlug).join(', ')}`);
  console.log('Ctrl-C stops gracefully (running turns finish or are handed back).');
  await set.run();
  await connection.close();
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.exitCode = report(err);
  });
}
