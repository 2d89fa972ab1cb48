/**
 * The cluster's databases: created when missing, the schema set up at version 0 and upgraded to
 * the newest version with Temporal's own SQL tool. Rerunnable: every step checks first or is
 * idempotent, so a restart on the same database only applies what is new.
 */
import { Client as PgClient } from 'pg';
import { runCapture } from '../system/process';
import type { ClusterBinaries } from './cluster-binaries';
import { redact, type PgTarget } from './cluster-config';

async function withPg<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot connect to PostgreSQL at ${redact(url)}: ${(err as Error).message}; is it running, and are the user and password right?`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function dbUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the database if needed, then its schema at version 0 and all upgrades, with Temporal's SQL tool. */
export async function prepareDatabase(
  bins: ClusterBinaries,
  pg: PgTarget,
  database: string,
  versionedDir: string,
  log: (line: string) => void,
): Promise<void> {
  const exists = await withPg(pg.adminUrl, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return r.rowCount !== 0;
  });
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database];
  const env = { ...process.env, SQL_PASSWORD: pg.password };
  const tool = async (args: string[], what: string) => {
    const r = await runCapture(bins.sqlTool, [...base, ...args], { env, timeoutMs: 120_000 });
    if (r.code !== 0 || r.timedOut) {
      const out = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n');
      throw new Error(`temporal-sql-tool ${what} on database ${database} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}):\n${out}`);
    }
  };
  if (!exists) {
    log(`creating database ${database}`);
    await tool(['create-database'], 'create-database');
  }
  const hasSchema = await withPg(dbUrl(pg.adminUrl, database), async (c) => {
    const r = await c.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'`);
    return r.rowCount !== 0;
  });
  if (!hasSchema) {
    log(`creating the Temporal schema in ${database}`);
    await tool(['setup-schema', '-v', '0.0'], 'setup-schema');
  }
  // Idempotent: applies only the versions the database does not have yet.
  await tool(['update-schema', '-d', versionedDir], 'update-schema');
}
