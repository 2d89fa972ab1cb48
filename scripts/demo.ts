/**
 * `npm run demo`: the whole product in one command on a fresh machine. Provisions the Temporal
 * CLI, starts a dev server (or uses one already on TEMPORAL_ADDRESS), runs a worker with scripted
 * agents in this process, and runs one bead through definitions/bug.yaml — the PM rejects once,
 * so the loop back to investigate shows (`--park`: it waits for a person instead) — printing every
 * move and the Web UI link. Stops what it
 * started and exits 0 when the bead completes.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import path from 'node:path';
import { ScriptedAgent } from '../src/activities/agents/scripted';
import { followBead } from '../src/client/follow';
import { prepareBead } from '../src/client/prepare';
import { startBeadRun } from '../src/client/start';
import { report } from '../src/cli/action';
import { formatEntry } from '../src/cli/format';
import { KNOWN_ROLES } from '../src/shared/roles';
import { isPortOpen } from '../src/system/port';
import { startDevServer, type DevServerHandle } from '../src/temporal/dev-server';
import { WorkerSet } from '../src/workers/worker-set';
import { BeadflowError } from '../src/shared/errors';
import { runSelfHealingDemo } from '../examples/self-healing/demo';
import { ledgerConfig } from '../src/ledger/config';
import { openWorkerLedger } from '../src/workers/ledger';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const [host, port] = [address.split(':')[0], Number(address.split(':')[1] ?? 7233)];
  let server: DevServerHandle | undefined;
  let uiUrl = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
  if (await isPortOpen(host, port)) {
    say(`demo: using the Temporal server already at ${address}`);
  } else {
    say('demo: starting a Temporal dev server (the first run builds the Temporal CLI with Go: 3-6 minutes)');
    server = await startDevServer({ port, log: (l) => say(`demo: ${l}`) });
    uiUrl = server.uiUrl ?? uiUrl;
  }
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  // The ledger: DATABASE_URL, or an embedded PostgreSQL in .beadflow/postgres (stopped again at the end if the demo started it).
  const ledger = await openWorkerLedger(ledgerConfig(), { log: (l) => say(`demo: ${l}`), stopEmbeddedOnClose: true });
  try {
    const status = process.argv.includes('--self-healing')
      ? await selfHealing({ client, nativeConnection, namespace, uiUrl, ledgerActivities: ledger.activities })
      : await scriptedBead({ client, nativeConnection, namespace, uiUrl, ledgerActivities: ledger.activities, started });
    say(`demo: ${ledger.description}`);
    if (status !== 'completed') process.exitCode = 1;
  } finally {
    await ledger.close();
    await connection.close();
    await nativeConnection.close();
    if (server) {
      await server.stop();
      say('demo: dev server stopped (its data stays in .beadflow/; `npx beadflow server` brings it back with the Web UI)');
    }
  }
}

interface DemoContext {
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
  uiUrl: string;
  ledgerActivities: object;
}

/** The default demo: a bug bead with scripted agents; the PM rejects once (with --park: waits for a person's decision). */
async function scriptedBead(ctx: DemoContext & { started: number }): Promise<string> {
  const { client, namespace, uiUrl } = ctx;
  const park = process.argv.includes('--park');
  const workers = await WorkerSet.create({
    connection: ctx.nativeConnection,
    namespace,
    roles: [...KNOWN_ROLES],
    provider: new ScriptedAgent(),
    workflowQueueActivities: ctx.ledgerActivities,
  });
  say(`demo: worker serving ${workers.queues.length} queues with scripted agents`);
  return workers.runUntil(async () => {
    const { input, selectedBy } = prepareBead({
      title: 'Checkout page crashes when the cart is empty',
      type: 'bug',
      definition: path.resolve(__dirname, '../definitions/bug.yaml'),
      description: 'Reported by the error tracker: TypeError in cart.total() with zero items.',
      priority: 'P1',
      // --park: the scripted reviewer takes its time, so the bead waits for a person (page, CLI or `temporal`).
      scenario: park ? { pm_review: ['sleep:30m'] } : { pm_review: ['rejected', 'approved'] },
    });
    const handle = await startBeadRun(client, input);
    say(`demo: bead ${input.bead.id} started with ${selectedBy}`);
    say(`demo: watch it in the Web UI: ${uiUrl}/namespaces/${namespace}/workflows/${input.bead.id}`);
    say(`demo: or as its graph on beadflow's page (\`npx beadflow ui\` in another terminal): http://127.0.0.1:8234/beads/${input.bead.id}`);
    if (park) {
      say(
        `demo: the bead will wait at pm_review for the Product Manager: Approve on that page, or npx beadflow approve ${input.bead.id} --by "Product Manager"`,
      );
    }
    const final = await followBead(handle, { onEntry: (e) => say(`  ${formatEntry(e)}`) });
    say(
      `demo: bead ${final.beadId} ${final.status} after ${final.dispatchCount} agent turns and ${final.cycleCount} loop(s) in ${Date.now() - ctx.started} ms`,
    );
    say(`demo: Web UI: ${uiUrl}/namespaces/${namespace}/workflows/${final.beadId}`);
    say(`demo: the ledger keeps its record: npx beadflow history ${final.beadId}; npx beadflow analytics`);
    return final.status;
  });
}

/** The demo's `--agent command|llm` (default command). */
function demoAgent(argv: string[]): 'command' | 'llm' {
  const at = argv.indexOf('--agent');
  const value = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--agent='))?.slice('--agent='.length);
  if (value === undefined || value === 'command') return 'command';
  if (value === 'llm') return 'llm';
  throw new BeadflowError(`--agent ${value}: the self-healing demo runs with --agent command or --agent llm`, { kind: 'usage' });
}

/** `--self-healing`: a sample repo with a failing test is fixed, verified for real, then committed through the lock. */
async function selfHealing(ctx: DemoContext): Promise<string> {
  const result = await runSelfHealingDemo({
    agent: demoAgent(process.argv),
    client: ctx.client,
    connection: ctx.nativeConnection,
    namespace: ctx.namespace,
    say,
    uiUrl: ctx.uiUrl,
    workflowQueueActivities: ctx.ledgerActivities,
  });
  say(`demo: bead ${result.beadId} ${result.status}; the fix is on ${result.remote} (${result.commits.length} commits)`);
  return result.status;
}

main().catch((err: unknown) => {
  process.exitCode = report(err);
});
