/**
 * `npm run worker [-- --roles "QA Engineer,Product Manager"] [--agent scripted|command|llm] [--model provider:model]
 * [--agent-preset claude|codex|aider|opencode]
 * [--no-workflows] [--personas DIR]`: with no roles it serves the workflow queue and every role.
 * SIGINT/SIGTERM stop it gracefully: Temporal's Runtime stops polling, running turns get the
 * shutdown grace time to finish, then are cancelled and handed back to other workers.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createCommitActivities } from '../activities/git';
import { report } from '../cli/action';
import { describeConnectionError, temporalSettings } from '../client/connection';
import { formatDuration } from '../dsl/duration';
import { roleSlug } from '../shared/roles';
import type { WorkerConfig } from './options';
import { parseWorkerArgs } from './options';
import { createProvider } from './providers';
import { McpToolbox, loadMcpServers } from '../activities/llm/mcp';
import { ledgerConfig } from '../ledger/config';
import { openWorkerLedger } from './ledger';
import { WorkerSet } from './worker-set';
import { installObservability } from '../observability/runtime';
import { logger, loggerSettings } from '../observability/logger';

export { parseRoles } from './options';

export async function runWorker(config: WorkerConfig, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Tools roles add from MCP servers (beadflow.config.yaml, BEADFLOW_MCP_SERVERS): model agents only.
  const mcpServers = loadMcpServers({ env });
  const mcp = mcpServers.length ? new McpToolbox(mcpServers, { log: (m, f) => logger().warn(f ?? {}, m) }) : undefined;
  const provider = createProvider({
    extraTools: mcp,
    agent: config.agent,
    model: config.model,
    scenarioFile: config.scenario,
    agentCommand: config.agentCommand,
    agentArgs: config.agentArgs,
    agentPreset: config.agentPreset,
    personasDir: config.personas,
    roles: config.roles,
    env,
  });
  const settings = temporalSettings(env);
  // Closed in reverse order on every path, including a failure half-way through start-up.
  const closers: Array<() => Promise<void>> = [];
  if (mcp) closers.push(() => mcp.close());
  // Logger, SDK Runtime (metrics, logs) and tracing: before anything else touches the Runtime.
  const obs = await installObservability({ log: loggerSettings({ level: config.logLevel, env }), metricsPort: config.metricsPort, env });
  closers.push(() => obs.close());
  const log = logger();
  try {
    const connection = await NativeConnection.connect(settings.connection).catch((err: unknown) => {
      throw describeConnectionError(err, settings) ?? err;
    });
    closers.push(() => connection.close());
    // Commit activities (git, lock requests) need a client: signal-with-start, the fencing query.
    const clientConnection = await Connection.connect(settings.connection);
    closers.push(() => clientConnection.close());
    // Ledger writes run on the workflow queue: only a worker serving it opens the ledger.
    const ledger = await openWorkerLedger(ledgerConfig(env, { noLedger: !config.ledger || !config.workflows }));
    closers.push(() => ledger.close());
    const client = new Client({
      connection: clientConnection,
      namespace: settings.namespace,
      interceptors: { workflow: obs.clientInterceptors },
    });
    const set = await WorkerSet.create({
      connection,
      namespace: settings.namespace,
      workflows: config.workflows,
      workflowTaskQueue: config.taskQueue,
      roles: config.roles,
      roleQueuePrefix: config.roleQueuePrefix,
      provider,
      workflowQueueActivities: { ...createCommitActivities({ client }), ...ledger.activities },
      maxConcurrentActivityTaskExecutions: config.concurrency,
      maxCachedWorkflows: config.workflowCache,
      shutdownGraceTimeMs: config.shutdownGraceMs,
      observability: obs.worker,
    });
    const grace = formatDuration(config.shutdownGraceMs) || '0s';
    const onSignal = (signal: string) =>
      log.info(`beadflow worker: ${signal}: stopping; running turns have ${grace} to finish, then are handed back`);
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    log.info(
      `beadflow worker: agent ${provider.name}; queues ${set.queues.join(', ')}; roles ${config.roles.map(roleSlug).join(', ')}; ${ledger.description}`,
    );
    log.info('Ctrl-C stops gracefully (running turns finish or are handed back).');
    await set.run();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    log.info('beadflow worker: stopped');
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

if (require.main === module) {
  (async () => {
    let config: WorkerConfig;
    try {
      config = parseWorkerArgs(process.argv);
    } catch (err) {
      // --help prints and ends here, successfully.
      if ((err as { code?: string }).code === 'commander.helpDisplayed') return;
      throw err;
    }
    await runWorker(config);
  })().catch((err: unknown) => {
    process.exitCode = report(err);
  });
}
