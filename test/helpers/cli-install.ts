/**
 * Installs a real coding CLI from the package registry (through npm, the ordinary client) into a
 * cache outside the repository, pinned to one version, once: later runs reuse it. The install
 * goes to a fresh directory that is renamed into place only when the CLI runs, so an interrupted
 * or concurrent install never leaves a half-installed copy behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PinnedCli {
  /** npm package name. */
  pkg: string;
  version: string;
  /** Name of its executable under node_modules/.bin. */
  bin: string;
}

/** Claude Code, the CLI the preset end-to-end test drives. */
export const CLAUDE_CODE: PinnedCli = { pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' };

export type InstalledCli = { ok: true; executable: string; dir: string } | { ok: false; reason: string };

/** BEADFLOW_CLI_CACHE, else ~/.cache/beadflow/clis. */
export function cliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BEADFLOW_CLI_CACHE || path.join(os.homedir(), '.cache', 'beadflow', 'clis');
}

export function installCli(cli: PinnedCli, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): InstalledCli {
  const root = cliCacheDir(opts.env);
  const dir = path.join(root, `${cli.pkg.replace(/^@/, '').replace(/\//g, '+')}-${cli.version}`);
  const executable = path.join(dir, 'node_modules', '.bin', cli.bin);
  if (existsSync(executable) && runs(executable, cli.version)) return { ok: true, executable, dir };
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(path.join(root, '.installing-'));
  try {
    const npm = spawnSync('npm', ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', `${cli.pkg}@${cli.version}`], {
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 10 * 60_000,
      env: opts.env ?? process.env,
    });
    if (npm.error || npm.status !== 0) {
      const why = npm.error ? npm.error.message : `npm exited ${npm.status}`;
      return { ok: false, reason: `npm install ${cli.pkg}@${cli.version} failed (${why}): ${tail(npm.stderr)}` };
    }
    const staged = path.join(staging, 'node_modules', '.bin', cli.bin);
    if (!existsSync(staged)) return { ok: false, reason: `${cli.pkg}@${cli.version} installed no ${cli.bin} executable` };
    if (!runs(staged, cli.version)) return { ok: false, reason: `${staged} --version does not print ${cli.version}` };
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(staging, dir);
    } catch {
      // Another run put its copy in place first: use that one.
    }
    return existsSync(executable) ? { ok: true, executable, dir } : { ok: false, reason: `${executable} missing after install` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function runs(executable: string, version: string): boolean {
  const r = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 && r.stdout.includes(version);
}

/** npm's error lines without stack frames: what went wrong, briefly. */
function tail(text: string | null | undefined): string {
  const lines = (text ?? '').split('\n').filter((l) => l.trim() && !/^npm (error|ERR!)\s+at /.test(l) && !/^\s+at /.test(l));
  const t = lines.slice(0, 6).join(' | ');
  return t.length > 1_000 ? `${t.slice(0, 1_000)}…` : t || '(no output)';
}
