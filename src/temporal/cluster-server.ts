/**
 * A real Temporal cluster on this machine (`beadflow server --cluster`): Temporal's own server
 * (built from source, see cluster-binaries.ts) on PostgreSQL, all four services in one process,
 * N history shards, schemas created and upgraded with Temporal's SQL tool, the namespace and the
 * bead search attributes registered and verified, and the Web UI server.
 *
 * Everything lives in a state directory (default `<project>/.beadflow/cluster/`): the server's
 * YAML config, the dynamic-config file (by absolute path), the logs and `cluster.json`, which
 * keeps the shard count and the ports so a restart on the same database (after a `kill -9`, say)
 * takes the same addresses. Membership ports stay below 32768: PostgreSQL stores them as SMALLINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterBinaries } from './cluster-binaries';
import { resolveClusterBinaries } from './cluster-binaries';
import type { ClusterTls, ClusterTlsFiles } from './cluster-tls';
import { resolveClusterTls } from './cluster-tls';
import { waitForClusterReady } from './cluster-ready';
import { prepareDatabase } from './cluster-schema';
import { uiHealthUrl } from './dev-server';
import { findProjectDir } from '../system/project';
import { isPortOpen, waitForHttpOk } from '../system/port';
import { pidAlive } from '../system/process';
import {
  DEFAULT_SHARDS,
  DEFAULT_CLUSTER_PORT,
  DEFAULT_CLUSTER_UI_PORT,
  ENV_NAME,
  CLUSTER_DYNAMIC_CONFIG,
  parsePostgresUrl,
  choosePorts,
  renderServerConfig,
  renderDynamicConfig,
  renderUiConfig,
} from './cluster-config';
import type { ClusterPorts } from './cluster-config';
export { DEFAULT_SHARDS, DEFAULT_CLUSTER_PORT, DEFAULT_CLUSTER_UI_PORT, MAX_MEMBERSHIP_PORT } from './cluster-config';
export type { ClusterPorts } from './cluster-config';

export function defaultClusterDir(projectDir: string = findProjectDir()): string {
  return path.join(projectDir, '.beadflow', 'cluster');
}

interface ClusterState {
  shards: number;
  /** The database the cluster was created on (password removed), to refuse a silent switch. */
  database: string;
  ports: ClusterPorts;
}

export interface ClusterOptions {
  /** State directory (default `<project>/.beadflow/cluster`). */
  dir?: string;
  /** PostgreSQL to keep Temporal's data in: any database URL on the server; we create our two. */
  postgresUrl: string;
  /** Database name prefix: `<prefix>` and `<prefix>_visibility` (default `temporal`). */
  databasePrefix?: string;
  /** History shards; fixed when the cluster is first created (default 4). */
  shards?: number;
  /** Frontend gRPC port (default 7233). */
  port?: number;
  /** Web UI port (default 8233); ui: false for none. */
  uiPort?: number;
  ui?: boolean;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More dynamic-config values (key → value), over beadflow's defaults. */
  dynamicConfig?: Record<string, unknown>;
  binaries?: ClusterBinaries;
  log?: (line: string) => void;
  /** Serve the frontend over TLS (mTLS with a CA); validated before anything starts. */
  tls?: ClusterTlsFiles;
  /** Deadline for schema setup, start, namespace and search attributes (default 180 s). */
  readyTimeoutMs?: number;
}

export interface ClusterHandle {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** Set when the frontend serves TLS. */
  tls?: ClusterTls;
  dir: string;
  shards: number;
  ports: ClusterPorts;
  serverPid: number;
  uiPid?: number;
  /** Milliseconds from the call to ready (schema checks included). */
  startupMs: number;
  /** The last lines of the server's log. */
  output(): string;
  serverExited: Promise<number | null>;
  /** SIGTERM to the UI and the server (SIGKILL after 15 s); resolves when both are gone. */
  stop(): Promise<void>;
  /** SIGKILL to the server and the UI (a crash, for tests). */
  kill(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  exitCode(): number | null | undefined;
  spawnError(): Error | undefined;
}

function launch(file: string, args: string[], logFile: string): Proc {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(file, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let code: number | null | undefined;
  let error: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      error = err;
      code = null;
      resolve(null);
    });
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    });
  });
  return { child, exited, exitCode: () => code, spawnError: () => error };
}

async function terminate(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode() !== undefined) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

function tail(file: string, n = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-n).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------

/** Prepares the database and config, starts the server (and UI), resolves once beads can run. */
export async function startCluster(opts: ClusterOptions): Promise<ClusterHandle> {
  const started = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = path.resolve(opts.dir ?? defaultClusterDir());
  const namespace = opts.namespace ?? 'default';
  const frontendPort = opts.port ?? DEFAULT_CLUSTER_PORT;
  const ui = opts.ui ?? true;
  const uiPort = opts.uiPort ?? DEFAULT_CLUSTER_UI_PORT;
  const timeoutMs = opts.readyTimeoutMs ?? 180_000;
  const deadline = started + timeoutMs;
  const prefix = opts.databasePrefix ?? 'temporal';
  const databases = { main: prefix, visibility: `${prefix}_visibility` };
  const pg = parsePostgresUrl(opts.postgresUrl);
  const tls = opts.tls ? resolveClusterTls(opts.tls) : undefined;

  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  const stateFile = path.join(dir, 'cluster.json');
  let previous: ClusterState | undefined;
  try {
    previous = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ClusterState;
  } catch {
    previous = undefined;
  }
  const database = `${pg.host}:${pg.port}/${databases.main}`;
  if (previous && previous.database !== database) previous = undefined; // another database: a new cluster
  const shards = opts.shards ?? previous?.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`the shard count must be a positive integer, got ${shards}`);
  if (previous && previous.shards !== shards) {
    throw new Error(
      `this cluster (${dir}, database ${database}) was created with ${previous.shards} history shards; Temporal cannot change that ` +
        `later. Run it with --shards ${previous.shards}, or use a fresh database (drop ${databases.main} and ${databases.visibility}) and delete ${stateFile}`,
    );
  }
  const pidFile = path.join(dir, 'temporal-server.pid');
  if (await isPortOpen('127.0.0.1', frontendPort)) {
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : 0);
    const ours = pid > 0 && pidAlive(pid);
    throw new Error(
      ours
        ? `this cluster's server from an earlier run still runs (pid ${pid}, port ${frontendPort}), e.g. after its launcher was killed; ` +
            `use it as is (TEMPORAL_ADDRESS=127.0.0.1:${frontendPort}) or stop it (kill ${pid}) and start again`
        : `port ${frontendPort} is already in use (another Temporal server?); stop it, use it as is (TEMPORAL_ADDRESS), or pick another port (--port)`,
    );
  }
  if (ui && (await isPortOpen('127.0.0.1', uiPort))) {
    throw new Error(`Web UI port ${uiPort} is already in use; pick another (--ui-port) or run without the UI`);
  }

  const bins = opts.binaries ?? (await resolveClusterBinaries({ log }));
  await prepareDatabase(bins, pg, databases.main, path.join(bins.schemaDir, 'temporal', 'versioned'), log);
  await prepareDatabase(bins, pg, databases.visibility, path.join(bins.schemaDir, 'visibility', 'versioned'), log);

  const ports = await choosePorts(frontendPort, previous?.ports);
  const state: ClusterState = { shards, database, ports };
  fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  const dynamicConfigFile = path.join(dir, 'config', 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, renderDynamicConfig({ ...CLUSTER_DYNAMIC_CONFIG, ...opts.dynamicConfig }));
  const logFile = path.join(dir, 'temporal-server.log');
  fs.writeFileSync(
    path.join(dir, 'config', `${ENV_NAME}.yaml`),
    renderServerConfig({ pg, databases, shards, ports, dynamicConfigFile, logFile, logLevel: opts.logLevel ?? 'warn', tls }),
    { mode: 0o600 },
  );

  const server = launch(bins.server, ['--root', dir, '--config', 'config', '--env', ENV_NAME, '--allow-no-auth', 'start'], logFile);
  fs.writeFileSync(pidFile, `${server.child.pid ?? ''}\n`);
  const killOnExit = () => {
    server.child.kill('SIGKILL');
    uiProc?.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let uiProc: Proc | undefined;
  const address = `127.0.0.1:${frontendPort}`;
  const uiUrl = ui ? `http://127.0.0.1:${uiPort}` : undefined;
  const abortReason = () => {
    const e = server.spawnError();
    if (e) return `cannot start ${bins.server}: ${e.message}`;
    const code = server.exitCode();
    return code !== undefined ? `temporal-server exited with code ${code}` : undefined;
  };
  try {
    await waitForClusterReady(address, namespace, deadline, abortReason, log, tls);
    if (ui) {
      const uiDir = path.join(dir, 'ui');
      fs.mkdirSync(path.join(uiDir, 'config'), { recursive: true });
      fs.writeFileSync(path.join(uiDir, 'config', `${ENV_NAME}.yaml`), renderUiConfig(frontendPort, uiPort, namespace, tls));
      uiProc = launch(bins.uiServer, ['--root', uiDir, '--config', 'config', '--env', ENV_NAME, 'start'], path.join(dir, 'ui-server.log'));
      const p = uiProc;
      await waitForHttpOk(uiHealthUrl(uiUrl!, namespace), {
        timeoutMs: Math.max(5000, deadline - Date.now()),
        abortReason: () =>
          abortReason() ?? (p.exitCode() !== undefined ? `the Web UI server exited (log ${path.join(dir, 'ui-server.log')})` : undefined),
      });
    }
  } catch (err) {
    process.removeListener('exit', killOnExit);
    await terminate(uiProc);
    await terminate(server);
    throw new Error(`the Temporal cluster did not start: ${(err as Error).message}\nserver log ${logFile}:\n${tail(logFile, 15)}`);
  }
  const startupMs = Date.now() - started;
  log(
    `temporal cluster ready on ${address}${tls ? (tls.mutual ? ' (mTLS)' : ' (TLS)') : ''} (${shards} shards, PostgreSQL ${database}) in ${startupMs}ms${uiUrl ? `, Web UI ${uiUrl}` : ''}`,
  );
  return {
    address,
    namespace,
    uiUrl,
    tls,
    dir,
    shards,
    ports,
    serverPid: server.child.pid!,
    uiPid: uiProc?.child.pid,
    startupMs,
    output: () => tail(logFile, 200),
    serverExited: server.exited,
    async stop() {
      process.removeListener('exit', killOnExit);
      await terminate(uiProc);
      await terminate(server);
    },
    async kill() {
      process.removeListener('exit', killOnExit);
      await terminate(server, 'SIGKILL');
      await terminate(uiProc, 'SIGKILL');
    },
  };
}
