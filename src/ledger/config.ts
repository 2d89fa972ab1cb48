/**
 * Which ledger a process uses: `DATABASE_URL` (any PostgreSQL), else the embedded default under
 * `.beadflow/postgres/` (or BEADFLOW_LEDGER_DIR), or none with `--no-ledger` / BEADFLOW_LEDGER=off.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findProjectDir } from '../system/project';
import { serverUser } from './cluster';

export type LedgerConfig = { mode: 'off' } | { mode: 'url'; url: string } | { mode: 'embedded'; dir: string };

export function ledgerConfig(env: NodeJS.ProcessEnv = process.env, opts: { noLedger?: boolean } = {}): LedgerConfig {
  if (opts.noLedger || /^(off|false|0|no|none)$/i.test(env.BEADFLOW_LEDGER ?? '')) return { mode: 'off' };
  if (env.DATABASE_URL) return { mode: 'url', url: env.DATABASE_URL };
  if (env.BEADFLOW_LEDGER_DIR) return { mode: 'embedded', dir: path.resolve(env.BEADFLOW_LEDGER_DIR) };
  return { mode: 'embedded', dir: reachableByServer(path.join(findProjectDir(), '.beadflow', 'postgres')) };
}

/**
 * As root, PostgreSQL runs as another OS user, who cannot enter a project under a private
 * directory (/root): the default then moves to /var/lib/beadflow/ledger-<hash of the path>, the
 * same place for every process of this project. Not root: the directory as it is.
 */
export function reachableByServer(dir: string): string {
  const user = serverUser();
  if (!user) return dir;
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const r = spawnSync('test', ['-x', existing], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  if (r.status === 0) return dir;
  return path.join('/var/lib/beadflow', `ledger-${createHash('sha1').update(dir).digest('hex').slice(0, 12)}`);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

export function describeConfig(config: LedgerConfig): string {
  switch (config.mode) {
    case 'off':
      return 'off';
    case 'url':
      return redactUrl(config.url);
    case 'embedded':
      return `embedded PostgreSQL in ${config.dir.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), config.dir) : config.dir}`;
  }
}
