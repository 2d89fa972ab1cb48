/**
 * Which repository a bead's commits land in, and the names derived from it: the lock's workflow
 * id, the worktrees directory, the bead's branch. `bead.repo` may be
 *   - a bare repository (local path): commits are pushed straight into it;
 *   - a clone with an `origin` remote: commits are pushed to origin (the user's clone is never
 *     touched; they see the work with `git pull`);
 *   - a URL (https, ssh, git@host:path, file://): pushed there.
 * The lock is keyed by that push target, so two clones of one origin share one lock.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplicationFailure } from '@temporalio/common';
import { simpleGit } from 'simple-git';
import { ERROR_TYPES, nonRetryableFailure } from '../../shared/errors';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/@\s]+@[^:/\s]+:/;

/** A problem no retry can fix (a missing repository, a bad branch name). */
export function gitConfigurationError(message: string): ApplicationFailure {
  return nonRetryableFailure(ERROR_TYPES.gitConfiguration, message);
}

export function isRemoteUrl(repo: string): boolean {
  return (URL_LIKE.test(repo) && !repo.toLowerCase().startsWith('file://')) || SCP_LIKE.test(repo);
}

/** Scheme and host are case-insensitive; a trailing slash means nothing. */
export function normalizeUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*)(.*)$/i.exec(trimmed);
  if (m) return `${m[1].toLowerCase()}${m[2].toLowerCase()}${m[3]}`;
  const scp = /^([^@]+@)([^:]+)(:.*)$/.exec(trimmed);
  return scp ? `${scp[1]}${scp[2].toLowerCase()}${scp[3]}` : trimmed;
}

/** The push target of `repo`: a normalized URL, or the real path of a local repository. */
export async function resolveUpstream(repo: string): Promise<string> {
  const trimmed = repo.trim();
  if (!trimmed) throw gitConfigurationError('no repository given');
  if (trimmed.toLowerCase().startsWith('file://')) return localPath(fileURLToPath(trimmed));
  if (isRemoteUrl(trimmed)) return normalizeUrl(trimmed);
  const abs = path.resolve(trimmed);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw gitConfigurationError(
      `repository ${abs} does not exist: pass --repo with a bare repository, a clone with an origin remote, or a URL`,
    );
  }
  const git = simpleGit(abs);
  let bare: string;
  try {
    bare = (await git.revparse(['--is-bare-repository'])).trim();
  } catch (err) {
    throw gitConfigurationError(
      `${abs} is not a git repository (${firstLine(err)}): pass a bare repository, a clone with an origin remote, or a URL`,
    );
  }
  if (bare === 'true') return localPath(abs);
  const origin = (await git.getRemotes(true)).find((r) => r.name === 'origin');
  const url = origin?.refs.push || origin?.refs.fetch;
  if (!url) {
    throw gitConfigurationError(
      `${abs} has no origin remote: beadflow pushes to the clone's origin (add one with \`git remote add origin URL\`), or pass a bare repository`,
    );
  }
  if (url.toLowerCase().startsWith('file://')) return localPath(fileURLToPath(url));
  if (isRemoteUrl(url)) return normalizeUrl(url);
  const top = (await git.revparse(['--show-toplevel'])).trim();
  return localPath(path.resolve(top, url));
}

function localPath(p: string): string {
  const abs = path.resolve(p);
  const real = existsSync(abs) ? realpathSync(abs) : abs;
  return real.replace(/\/\.git\/?$/, '').replace(/\/+$/, '') || '/';
}

export function repoKey(upstream: string): string {
  return createHash('sha1').update(upstream).digest('hex').slice(0, 12);
}

/** The id of the repository's singleton `commitLock` workflow. */
export function lockWorkflowId(upstream: string): string {
  return `commit-lock-${repoKey(upstream)}`;
}

/** BEADFLOW_WORKTREES, else ~/.cache/beadflow/worktrees (XDG_CACHE_HOME respected). */
export function worktreesRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BEADFLOW_WORKTREES) return path.resolve(env.BEADFLOW_WORKTREES);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'beadflow', 'worktrees');
}

/** A bead id as a directory and branch name: as is when plain, else a slug plus a hash (ids are user input). */
export function safeName(beadId: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(beadId)) return beadId;
  const slug =
    beadId
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-_]+|-+$/g, '')
      .slice(0, 40) || 'bead';
  return `${slug}-${createHash('sha1').update(beadId).digest('hex').slice(0, 8)}`;
}

export function beadBranch(beadId: string): string {
  return `beadflow/${safeName(beadId)}`;
}

/** Branch names reach git as arguments: refuse what git would read as an option or reject later. */
export function checkBranchName(name: string): void {
  if (!name || name.startsWith('-') || /[\s~^:?*[\\]|\.\.|@\{|\/\/|\.lock$|^\/|\/$|\.$/.test(name)) {
    throw gitConfigurationError(`"${name}" is not a valid target branch name`);
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (
    text
      .trim()
      .split('\n')
      .find((l) => l.trim()) ?? text
  );
}

/** Serializes work on one repository's shared clone within this process (fetches and ref updates). */
const queues = new Map<string, Promise<unknown>>();

export function withRepoLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}
