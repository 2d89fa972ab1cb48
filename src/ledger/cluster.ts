/**
 * A local PostgreSQL cluster driven through its own programs (initdb, pg_ctl): used for the
 * embedded ledger and by the tests. PostgreSQL refuses to run as root, so when we are root the
 * programs run as an unprivileged OS user (`postgres` if it exists, else `nobody`) that owns the
 * data directory. The server is started detached (its own session) so a Ctrl-C meant for the
 * worker does not stop a database other processes share.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive, runCapture } from '../system/process';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user to run PostgreSQL as: undefined when we are not root (we run it ourselves). */
export function serverUser(preferred = process.env.BEADFLOW_PG_USER): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of [preferred, 'postgres', 'nobody'].filter((n): n is string => !!n)) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && uid > 0) return { name, uid, gid };
    } catch {
      // no such user
    }
  }
  throw new Error('running as root, and there is no unprivileged user (postgres or nobody) to run PostgreSQL as');
}

export interface ClusterOptions {
  binDir: string;
  dataDir: string;
  port: number;
  /** Superuser created by initdb. */
  user: string;
  /** Password auth (scram-sha-256) when set; trust otherwise (tests). */
  password?: string;
  /** Server log (default: <dataDir>/../postgres.log). */
  logFile?: string;
  /** Extra postgresql.conf lines written at init (e.g. `fsync = off` for tests). */
  settings?: Record<string, string | number>;
  runAs?: OsUser;
}

interface RunResult {
  code: number | null;
  output: string;
}

export class PgCluster {
  readonly logFile: string;

  constructor(readonly opts: ClusterOptions) {
    this.logFile = opts.logFile ?? path.join(path.dirname(opts.dataDir), 'postgres.log');
  }

  get port(): number {
    return this.opts.port;
  }

  url(database = 'postgres'): string {
    const auth = this.opts.password
      ? `${encodeURIComponent(this.opts.user)}:${encodeURIComponent(this.opts.password)}`
      : encodeURIComponent(this.opts.user);
    return `postgres://${auth}@127.0.0.1:${this.opts.port}/${database}`;
  }

  isInitialized(): boolean {
    return existsSync(path.join(this.opts.dataDir, 'PG_VERSION'));
  }

  /** initdb into dataDir (its parent is created and handed to the server's user). */
  async init(): Promise<void> {
    const parent = path.dirname(this.opts.dataDir);
    mkdirSync(parent, { recursive: true });
    this.giveToServerUser(parent);
    this.checkReachable(parent);
    let pwfile: string | undefined;
    if (this.opts.password) {
      pwfile = path.join(parent, `.pwfile-${process.pid}`);
      writeFileSync(pwfile, `${this.opts.password}\n`, { mode: 0o600 });
      this.giveToServerUser(pwfile);
    }
    const auth = this.opts.password ? ['--auth-host=scram-sha-256', '--auth-local=scram-sha-256', `--pwfile=${pwfile}`] : ['--auth=trust'];
    try {
      const r = await this.run(
        'initdb',
        ['-D', this.opts.dataDir, '-U', this.opts.user, '-E', 'UTF8', '--locale=C', '--no-instructions', ...auth],
        120_000,
      );
      if (r.code !== 0) throw new Error(`initdb failed (exit ${r.code}): ${lastLines(r.output)}`);
    } finally {
      if (pwfile) execFileSync('rm', ['-f', pwfile]);
    }
    const settings: Record<string, string | number> = {
      listen_addresses: "'127.0.0.1'",
      port: this.opts.port,
      // TCP only: a socket path under a deep project directory can exceed the 107-byte limit.
      unix_socket_directories: "''",
      ...this.opts.settings,
    };
    const conf = path.join(this.opts.dataDir, 'postgresql.conf');
    const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}\n# beadflow\n${lines.join('\n')}\n`);
  }

  /** Sets the port for the next start (postgresql.auto.conf overrides postgresql.conf). */
  setPort(port: number): void {
    this.opts.port = port;
    const auto = path.join(this.opts.dataDir, 'postgresql.auto.conf');
    const kept = existsSync(auto)
      ? readFileSync(auto, 'utf8')
          .split('\n')
          .filter((l) => l && !/^port\s*=/.test(l))
      : [];
    writeFileSync(auto, `${[...kept, `port = ${port}`].join('\n')}\n`);
    this.giveToServerUser(auto);
  }

  /** pg_ctl start -w: returns once the server accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const r = await this.run(
      'pg_ctl',
      ['start', '-D', this.opts.dataDir, '-l', this.logFile, '-w', '-t', String(Math.ceil(timeoutMs / 1000))],
      timeoutMs + 5_000,
    );
    if (r.code !== 0)
      throw new Error(
        `PostgreSQL did not start on port ${this.opts.port} (pg_ctl exit ${r.code}): ${lastLines(this.logTail() || r.output)}`,
      );
  }

  /** pg_ctl stop: `fast` rolls back open transactions, `immediate` is a crash (tests). */
  async stop(mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.runningPid()) return;
    const r = await this.run('pg_ctl', ['stop', '-D', this.opts.dataDir, '-m', mode, '-w', '-t', '60'], 65_000);
    if (r.code !== 0 && this.runningPid()) throw new Error(`pg_ctl stop failed (exit ${r.code}): ${lastLines(r.output)}`);
  }

  /** The postmaster's pid when one runs on this data directory. */
  runningPid(): number | undefined {
    const info = this.postmasterInfo();
    if (!info) return undefined;
    return pidAlive(info.pid) ? info.pid : undefined;
  }

  /** pid and port from postmaster.pid (line 1 and line 4). */
  postmasterInfo(): { pid: number; port: number } | undefined {
    const file = path.join(this.opts.dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const lines = readFileSync(file, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 ? { pid, port } : undefined;
  }

  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** As root, the server's user must be able to reach the directory: a private parent (/root, a mkdtemp) stops it. */
  private checkReachable(dir: string): void {
    const u = this.opts.runAs;
    if (!u) return;
    const r = spawnSync('test', ['-w', dir, '-a', '-x', dir], { uid: u.uid, gid: u.gid, stdio: 'ignore' });
    if (r.status !== 0) {
      throw new Error(
        `PostgreSQL refuses to run as root, so it runs as the OS user "${u.name}", who cannot reach ${dir} (a parent directory is private); ` +
          'make its parents reachable (chmod o+x), set BEADFLOW_LEDGER_DIR to a directory that user can reach, or set DATABASE_URL',
      );
    }
  }

  private giveToServerUser(file: string): void {
    const u = this.opts.runAs;
    if (u) chownSync(file, u.uid, u.gid);
  }

  private async run(program: string, args: string[], timeoutMs: number): Promise<RunResult> {
    const u = this.opts.runAs;
    const r = await runCapture(path.join(this.opts.binDir, program), args, {
      ...(u ? { uid: u.uid, gid: u.gid } : {}),
      // Own session: the server pg_ctl forks must not get the terminal's Ctrl-C.
      detached: true,
      cwd: os.tmpdir(),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...(u ? { HOME: path.dirname(this.opts.dataDir), USER: u.name } : {}) },
      timeoutMs,
    });
    return { code: r.code, output: `${r.stdout}${r.stderr}${r.spawnError ? r.spawnError.message : ''}` };
  }
}

function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
