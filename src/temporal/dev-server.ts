/**
 * `temporal server start-dev` for beadflow: the arguments (persisted in `<project>/.beadflow/`,
 * our search attributes registered) and a background launcher for the demo and the benchmark.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BEAD_SEARCH_ATTRIBUTE_NAMES, searchAttributeCliArgs } from '../shared/search-attributes';
import type { TemporalBinary } from './binary';
import { resolveTemporalBinary } from './binary';
import { isPortOpen, waitForHttpOk, waitForPort } from '../system/port';
import { sleep } from '../system/process';
import { findProjectDir } from '../system/project';
import { killWhenParentDies } from './watchdog';

export const DEFAULT_PORT = 7233;
export const DEFAULT_UI_PORT = 8233;
export const DB_PRAGMAS = ['journal_mode=WAL', 'synchronous=OFF'];
/**
 * The dev server runs one history shard, and each shard reads its queues of new tasks at most
 * 20 times a second by default: every workflow task and activity dispatch then waited ~45 ms,
 * ~100 ms per node transition (measured by `npm run bench`; 13 ms with this). Later values of the
 * same key in `extraArgs` override these.
 */
export const DYNAMIC_CONFIG = [
  'history.transferProcessorMaxPollRPS=1000',
  'history.timerProcessorMaxPollRPS=1000',
  'history.visibilityProcessorMaxPollRPS=1000',
];

export interface DevServerOptions {
  /** gRPC frontend port (default 7233). */
  port?: number;
  /** Web UI port (default port + 1000, i.e. 8233). */
  uiPort?: number;
  /** false = `--headless` (no Web UI). Default true. */
  ui?: boolean;
  /** Interface to bind (default: the CLI's, localhost). */
  ip?: string;
  namespace?: string;
  /** SQLite file (default `<project>/.beadflow/temporal.db`). */
  dbFile?: string;
  /** Keep nothing on disk. */
  inMemory?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  extraArgs?: string[];
}

export interface DevServerPlan {
  args: string[];
  host: string;
  port: number;
  /** `localhost:7233`, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  uiUrl?: string;
  dbFile?: string;
}

/** The Web UI answers this only once it reaches the frontend (its gRPC client retries with backoff). */
export function uiHealthUrl(uiUrl: string, namespace: string): string {
  return `${uiUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}`;
}

export function defaultDbFile(projectDir: string = findProjectDir()): string {
  return path.join(projectDir, '.beadflow', 'temporal.db');
}

/** Arguments and endpoints for `temporal server start-dev`; pure apart from finding the project dir. */
export function planDevServer(opts: DevServerOptions = {}): DevServerPlan {
  if (opts.inMemory && opts.dbFile) throw new Error('choose either a database file or in-memory, not both');
  const port = opts.port ?? DEFAULT_PORT;
  const ui = opts.ui ?? true;
  const uiPort = opts.uiPort ?? (port === DEFAULT_PORT ? DEFAULT_UI_PORT : port + 1000);
  const namespace = opts.namespace ?? 'default';
  const dbFile = opts.inMemory ? undefined : path.resolve(opts.dbFile ?? defaultDbFile());
  const host = opts.ip ?? 'localhost';
  const args = ['server', 'start-dev', '--port', String(port)];
  if (opts.ip) args.push('--ip', opts.ip);
  args.push(...(ui ? ['--ui-port', String(uiPort)] : ['--headless']));
  args.push('--namespace', namespace, '--log-level', opts.logLevel ?? 'warn');
  if (dbFile) {
    args.push('--db-filename', dbFile);
    for (const pragma of DB_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  for (const setting of DYNAMIC_CONFIG) args.push('--dynamic-config-value', setting);
  args.push(...searchAttributeCliArgs(), ...(opts.extraArgs ?? []));
  return {
    args,
    host,
    port,
    address: `${host}:${port}`,
    namespace,
    uiUrl: ui ? `http://${host}:${uiPort}` : undefined,
    dbFile,
  };
}

/** Throws a clear error when something already listens on the server's port. */
export async function assertPortFree(plan: Pick<DevServerPlan, 'host' | 'port'>): Promise<void> {
  if (await isPortOpen(plan.host, plan.port)) {
    throw new Error(
      `port ${plan.port} on ${plan.host} is already in use (another Temporal server?); stop it, ` +
        'use it as is (TEMPORAL_ADDRESS), or pick another port (--port)',
    );
  }
}

export interface StartDevServerOptions extends DevServerOptions {
  /** Default: resolveTemporalBinary(). */
  binary?: TemporalBinary;
  log?: (line: string) => void;
  /** Deadline for the server to answer and list our search attributes (default 60s). */
  readyTimeoutMs?: number;
}

export interface DevServerHandle extends DevServerPlan {
  pid: number;
  binary: TemporalBinary;
  /** Milliseconds from spawn to ready. */
  startupMs: number;
  /** The server's recent output (last 200 lines), for diagnostics. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 15s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Spawns the dev server in the background and resolves once it serves our namespace. */
export async function startDevServer(opts: StartDevServerOptions = {}): Promise<DevServerHandle> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binary = opts.binary ?? (await resolveTemporalBinary({ log }));
  const plan = planDevServer(opts);
  await assertPortFree(plan);
  if (plan.dbFile) fs.mkdirSync(path.dirname(plan.dbFile), { recursive: true });

  const started = Date.now();
  const child = spawn(binary.path, plan.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exitCode = null;
      resolve(null);
    });
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stopWatchdog = child.pid ? killWhenParentDies(child.pid) : () => undefined;

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    stopWatchdog();
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killTimer);
  };
  const output = () => lines.join('\n');

  try {
    const abortReason = () =>
      spawnError
        ? `cannot start ${binary.path}: ${spawnError.message}`
        : exitCode !== undefined
          ? `the server exited with code ${exitCode}`
          : undefined;
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    await waitForPort(plan.host, plan.port, { timeoutMs, abortReason });
    await waitForSearchAttributes(plan, started + timeoutMs);
    if (plan.uiUrl)
      await waitForHttpOk(uiHealthUrl(plan.uiUrl, plan.namespace), {
        timeoutMs: Math.max(1000, started + timeoutMs - Date.now()),
        abortReason,
      });
  } catch (err) {
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`temporal dev server did not start: ${message}\n${output().split('\n').slice(-15).join('\n')}`);
  }
  const startupMs = Date.now() - started;
  log(`temporal dev server ready on ${plan.address} in ${startupMs}ms${plan.uiUrl ? `, Web UI ${plan.uiUrl}` : ''}`);
  return { ...plan, pid: child.pid!, binary, startupMs, output, exited, stop };
}

/** The port opens before registration is certain; poll until every bead search attribute is listed. */
async function waitForSearchAttributes(plan: DevServerPlan, deadline: number): Promise<void> {
  const { Connection } = await import('@temporalio/client'); // on use: the CLI loads this module for every command
  const connection = await Connection.connect({ address: plan.address, connectTimeout: '10s' });
  try {
    let missing: string[] = [...BEAD_SEARCH_ATTRIBUTE_NAMES];
    for (;;) {
      try {
        const res = await connection.operatorService.listSearchAttributes({ namespace: plan.namespace });
        missing = BEAD_SEARCH_ATTRIBUTE_NAMES.filter((n) => !(n in (res.customAttributes ?? {})));
        if (missing.length === 0) return;
      } catch {
        /* namespace not ready yet */
      }
      if (Date.now() > deadline) throw new Error(`search attributes not registered in time: ${missing.join(', ')}`);
      await sleep(200);
    }
  } finally {
    await connection.close();
  }
}
