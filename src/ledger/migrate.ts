/**
 * Versioned schema migrations: `migrations/NNN_name.sql`, applied in order, each in its own
 * transaction, recorded in `beadflow_migrations` with a checksum. Run at worker start and by the
 * CLI; idempotent; a session advisory lock makes two workers starting together take turns.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
/** pg_advisory_lock(key1, key2): "beadflow ledger", "migrations". */
const LOCK_KEYS: [number, number] = [0x6265_6164, 1];

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  version: number;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = /^(\d+)_([\w-]+)\.sql$/.exec(file);
      if (!m) throw new Error(`migration file ${path.join(dir, file)} must be named NNN_name.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version: Number(m[1]), name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version)
      throw new Error(`two migrations have version ${migrations[i].version}: ${migrations[i - 1].name}, ${migrations[i].name}`);
  }
  return migrations;
}

export async function migrate(pool: Pool, migrations: Migration[] = loadMigrations()): Promise<MigrateResult> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', LOCK_KEYS);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS beadflow_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM beadflow_migrations ORDER BY version',
      );
      const known = new Map(migrations.map((m) => [m.version, m]));
      for (const row of rows) {
        const m = known.get(row.version);
        if (!m) {
          throw new Error(
            `the ledger database has migration ${row.name}, which this beadflow does not know: it was migrated by a newer beadflow; upgrade this one`,
          );
        }
        if (m.checksum !== row.checksum) {
          throw new Error(
            `migration ${m.name} changed after it was applied to this database; never edit an applied migration, add a new NNN_*.sql instead`,
          );
        }
      }
      const done = new Set(rows.map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO beadflow_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', LOCK_KEYS).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return { applied, version: migrations.length ? migrations[migrations.length - 1].version : 0 };
}
