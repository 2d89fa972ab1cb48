/**
 * Opening the ledger: a small `pg` pool with short connect and statement timeouts (a write that
 * cannot reach the database must fail fast so the activity retries, not hang), the schema
 * migrated, and errors a person can act on.
 */
import { Pool } from 'pg';
import type { LedgerConfig } from './config';
import { describeConfig, redactUrl } from './config';
import { ensureEmbeddedLedger } from './embedded';
import { migrate } from './migrate';

export interface Ledger {
  pool: Pool;
  /** Where it is, password hidden: for messages. */
  where: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Progress lines (embedded start). */
  log?: (line: string) => void;
  applicationName?: string;
  max?: number;
}

/** Connection-level failures: the database is down or unreachable (retry later), not a bad query. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(e.code ?? '')) return true;
  // 57P01-03: admin shutdown, crash shutdown, cannot connect now; 08xxx: connection exceptions.
  if (/^(57P0[1-3]|08\d{3}|53300)$/.test(e.code ?? '')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

export function createPool(url: string, opts: Pick<OpenOptions, 'applicationName' | 'max'> = {}): Pool {
  const pool = new Pool({
    connectionString: url,
    max: opts.max ?? 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
    statement_timeout: 30_000,
    application_name: opts.applicationName ?? 'beadflow',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', () => undefined);
  return pool;
}

/** The URL of a configured ledger (starting the embedded one if needed); undefined when off. */
export async function resolveLedgerUrl(config: LedgerConfig, log?: (line: string) => void): Promise<string | undefined> {
  switch (config.mode) {
    case 'off':
      return undefined;
    case 'url':
      return config.url;
    case 'embedded':
      return (await ensureEmbeddedLedger(config.dir, log)).url;
  }
}

export async function openLedger(config: LedgerConfig, opts: OpenOptions = {}): Promise<Ledger | undefined> {
  const url = await resolveLedgerUrl(config, opts.log);
  if (!url) return undefined;
  const pool = createPool(url, opts);
  const where = config.mode === 'embedded' ? `${describeConfig(config)} (${redactUrl(url)})` : redactUrl(url);
  try {
    if (opts.migrate !== false) await migrate(pool);
    else await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new LedgerUnavailableError(where, err);
  }
  return { pool, where, close: () => pool.end() };
}

/** The ledger could not be opened: says where, why, and how to get one. */
export class LedgerUnavailableError extends Error {
  readonly unreachable: boolean;
  constructor(
    readonly where: string,
    readonly reason: unknown,
  ) {
    const why = reason instanceof Error ? reason.message : String(reason);
    const unreachable = isUnreachable(reason);
    super(unreachable ? `cannot reach the ledger database at ${where}: ${why}` : `the ledger database at ${where} failed: ${why}`);
    this.name = 'LedgerUnavailableError';
    this.unreachable = unreachable;
  }
}

export const LEDGER_HINT =
  'start it (docker compose up -d ledger-db), fix DATABASE_URL, or unset DATABASE_URL to use the embedded default in .beadflow/postgres; BEADFLOW_LEDGER=off runs without a ledger';
