import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { action } from '../action';
import { CliError, usageError } from '../errors';
import type { TemporalBinary } from '../../temporal/binary';
import { resolveTemporalBinary, TemporalNotFoundError } from '../../temporal/binary';
import type { DevServerPlan } from '../../temporal/dev-server';
import { assertPortFree, DEFAULT_PORT, planDevServer, uiHealthUrl } from '../../temporal/dev-server';
import { waitForHttpOk, waitForPort } from '../../system/port';
import { killWhenParentDies } from '../../temporal/watchdog';
import type { ClusterHandle } from '../../temporal/cluster-server';
import { DEFAULT_SHARDS, startCluster } from '../../temporal/cluster-server';
import { resolveClusterTls } from '../../temporal/cluster-tls';
import { findProjectDir } from '../../system/project';
import { ledgerConfig, reachableByServer } from '../../ledger/config';
import { ensureEmbeddedLedger } from '../../ledger/embedded';

interface ServerFlags {
  port: string;
  uiPort?: string;
  db?: string;
  inMemory?: boolean;
  cluster?: boolean;
  postgresUrl?: string;
  shards?: string;
  ui?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** `beadflow server`: the Temporal dev server in the foreground, Ctrl-C stops it. */
export function register(program: Command): void {
  program
    .command('server')
    .description('run the Temporal dev server in the foreground (data in .beadflow/, Web UI, bead search attributes)')
    .option('--port <port>', 'gRPC port', String(DEFAULT_PORT))
    .option('--ui-port <port>', 'Web UI port (default: port + 1000, i.e. 8233)')
    .option('--db <file>', 'SQLite database file (default: <project>/.beadflow/temporal.db)')
    .option('--in-memory', 'keep nothing on disk')
    .option('--cluster', "a real Temporal cluster (Temporal's own server on PostgreSQL, built from source once) instead of the dev server")
    .option('--postgres-url <url>', 'with --cluster: the PostgreSQL to keep its data in (default: the embedded one in .beadflow/postgres)')
    .option('--shards <n>', `with --cluster: history shards, fixed when the cluster is created (default ${DEFAULT_SHARDS})`)
    .option('--tls-cert <file>', 'with --cluster: serve the frontend over TLS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'with --cluster: the PEM private key of --tls-cert')
    .option('--tls-ca <file>', 'with --cluster and --tls-cert: require client certificates signed by this CA (mTLS)')
    .option('--no-ui', 'no Web UI (the dev server runs headless)')
    .action(action((flags: ServerFlags) => (flags.cluster ? runCluster(flags) : runServer(flags))));
}

async function runServer(flags: ServerFlags): Promise<void> {
  if (flags.postgresUrl || flags.shards || flags.tlsCert || flags.tlsKey || flags.tlsCa)
    throw usageError('--postgres-url, --shards and --tls-* need --cluster');
  if (flags.db && flags.inMemory) throw usageError('--db and --in-memory exclude each other');
  const plan = planDevServer({
    port: parsePort(flags.port, '--port'),
    uiPort: flags.uiPort === undefined ? undefined : parsePort(flags.uiPort, '--ui-port'),
    dbFile: flags.db,
    inMemory: flags.inMemory,
    ui: flags.ui,
  });
  const binary = await findBinary();
  try {
    await assertPortFree(plan);
  } catch (err) {
    throw new CliError((err as Error).message, { hint: `if it is a beadflow server, use it: TEMPORAL_ADDRESS=${plan.address}` });
  }
  if (plan.dbFile) fs.mkdirSync(path.dirname(plan.dbFile), { recursive: true });
  say(
    `starting the Temporal dev server (${plan.dbFile ? `data in ${path.relative(process.cwd(), plan.dbFile) || plan.dbFile}` : 'in memory'})`,
  );
  await runForeground(binary, plan);
}

async function findBinary(): Promise<TemporalBinary> {
  try {
    return await resolveTemporalBinary({ log: say });
  } catch (err) {
    if (err instanceof TemporalNotFoundError) {
      throw new CliError('no Temporal CLI to run the server with', { hint: err.message });
    }
    throw err;
  }
}

/** Runs the server with our stdout/stderr; forwards Ctrl-C once (a second one kills it). */
async function runForeground(binary: TemporalBinary, plan: DevServerPlan): Promise<void> {
  // Own process group, so a terminal Ctrl-C reaches the server once (through us), not twice.
  const child = spawn(binary.path, plan.args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    child.kill(stopping ? 'SIGKILL' : signal);
    stopping = true;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  // The exit handler does not run when we are killed by SIGKILL: a watchdog ends the server then.
  const stopWatchdog = child.pid ? killWhenParentDies(child.pid) : () => undefined;

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => ((spawnError = err), resolve()));
    child.once('exit', (code, signal) => ((exit = { code, signal }), resolve()));
  });
  try {
    const abortReason = () => (spawnError || exit ? 'the server stopped before it answered' : undefined);
    await waitForPort(plan.host, plan.port, { timeoutMs: 60_000, abortReason });
    if (plan.uiUrl) await waitForHttpOk(uiHealthUrl(plan.uiUrl, plan.namespace), { timeoutMs: 30_000, abortReason });
    say(`ready: gRPC ${plan.address}, namespace ${plan.namespace}${plan.uiUrl ? `, Web UI ${plan.uiUrl}` : ''} (Ctrl-C to stop)`);
  } catch (err) {
    if (!spawnError && !exit) forward('SIGTERM');
    await exited;
    if (!stopping) throw startFailure(binary, spawnError, exit, err);
  }
  await exited;
  stopWatchdog();
  for (const s of signals) process.removeListener(s, forward);
  process.removeListener('exit', killOnExit);
  if (spawnError) throw new CliError(`cannot run ${binary.path}: ${spawnError.message}`);
  if (!stopping && exit && exit.code !== 0) {
    throw new CliError(`the Temporal server exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}`, {
      hint: 'see its output above',
    });
  }
  say('stopped');
}

function startFailure(
  binary: TemporalBinary,
  spawnError: Error | undefined,
  exit: { code: number | null } | undefined,
  err: unknown,
): CliError {
  if (spawnError) return new CliError(`cannot run ${binary.path}: ${spawnError.message}`);
  const why = exit ? `exited with code ${exit.code}` : (err as Error).message;
  return new CliError(`the Temporal server did not start: ${why}`, { hint: 'see its output above' });
}

/** `beadflow server --cluster`: the cluster in the foreground; Ctrl-C stops it (the database keeps running). */
async function runCluster(flags: ServerFlags): Promise<void> {
  if (flags.db || flags.inMemory) throw usageError('--db and --in-memory are for the dev server; --cluster keeps its data in PostgreSQL');
  const shards = flags.shards === undefined ? undefined : Number(flags.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > 16384)) {
    throw usageError(`--shards must be a whole number from 1 to 16384, got "${flags.shards}"`);
  }
  const port = parsePort(flags.port, '--port');
  const uiPort = flags.uiPort === undefined ? undefined : parsePort(flags.uiPort, '--ui-port');
  const tls = tlsFiles(flags);
  let postgresUrl = flags.postgresUrl;
  if (!postgresUrl) {
    const config = ledgerConfig();
    const dir = config.mode === 'embedded' ? config.dir : reachableByServer(path.join(findProjectDir(), '.beadflow', 'postgres'));
    const pg = await ensureEmbeddedLedger(dir, say);
    postgresUrl = pg.url;
    say(`PostgreSQL: the embedded one in ${dir} (it keeps running after the cluster stops; \`beadflow ledger stop\` stops it)`);
  }
  let handle: ClusterHandle;
  try {
    handle = await startCluster({ postgresUrl, shards, port, uiPort, ui: flags.ui, tls, log: say });
  } catch (err) {
    throw new CliError((err as Error).message, {
      hint: `if a beadflow server already runs there, use it: TEMPORAL_ADDRESS=127.0.0.1:${port}`,
    });
  }
  if (handle.tls) {
    say(
      `TLS: clients set TEMPORAL_TLS_SERVER_CA_CERT_PATH=${handle.tls.caFile ?? handle.tls.certFile} TEMPORAL_TLS_SERVER_NAME=${handle.tls.serverName}` +
        (handle.tls.mutual ? ' TEMPORAL_TLS_CLIENT_CERT_PATH=... TEMPORAL_TLS_CLIENT_KEY_PATH=... (a certificate the CA signed)' : ''),
    );
  }
  say(
    `ready: gRPC ${handle.address}, namespace ${handle.namespace}${handle.uiUrl ? `, Web UI ${handle.uiUrl}` : ''}; ` +
      `server log ${path.join(handle.dir, 'temporal-server.log')} (Ctrl-C to stop)`,
  );
  let stopping = false;
  const onSignal = () => {
    if (stopping) return void handle.kill();
    stopping = true;
    say('stopping...');
    void handle.stop();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const code = await handle.serverExited;
  for (const s of signals) process.removeListener(s, onSignal);
  await handle.stop();
  if (!stopping) {
    throw new CliError(`the Temporal server exited with ${code === null ? 'a signal' : `code ${code}`}`, {
      hint: `see ${path.join(handle.dir, 'temporal-server.log')}`,
    });
  }
  say('stopped');
}

function tlsFiles(flags: ServerFlags): { certFile: string; keyFile: string; caFile?: string } | undefined {
  if (!flags.tlsCert && !flags.tlsKey && !flags.tlsCa) return undefined;
  if (!flags.tlsCert || !flags.tlsKey) {
    throw usageError(`--tls-cert and --tls-key go together (missing ${flags.tlsCert ? '--tls-key' : '--tls-cert'})`);
  }
  const files = { certFile: flags.tlsCert, keyFile: flags.tlsKey, caFile: flags.tlsCa };
  try {
    resolveClusterTls(files); // before PostgreSQL and the server start: a bad file is the user's to fix
  } catch (err) {
    throw usageError((err as Error).message);
  }
  return files;
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`${flag} must be a port number (1-65535), got "${value}"`);
  return port;
}

function say(line: string): void {
  process.stderr.write(`server: ${line}\n`);
}
