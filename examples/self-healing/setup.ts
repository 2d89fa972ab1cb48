/**
 * The self-healing example's pieces: the sample repository (copied into a fresh git repository
 * whose origin is a bare "remote"), the command agent that fixes it, and the definition.
 * Shared by the demo and the end-to-end test.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandAgent } from '../../src/activities/agents/command';
import type { Personas } from '../../src/activities/agents/personas';
import { loadPersonas } from '../../src/activities/agents/personas';
import { formatFinding, hasErrors, loadDefinitionFile } from '../../src/dsl';
import type { ResolvedDefinition } from '../../src/dsl/types';

export const SAMPLE_REPOSITORY = path.join(__dirname, 'repo');
export const FIX_AGENT = path.join(__dirname, 'fix-agent.mjs');
export const DEFINITION_FILE = path.join(__dirname, 'definition.yaml');
/** The file with the bug, relative to the repository. */
export const BUGGY_FILE = 'src/discount.js';

export interface SampleRepository {
  /** Holds everything below; removed by cleanup(). */
  dir: string;
  /** The bare repository commits are pushed to. */
  remote: string;
  /** A working clone whose origin is `remote`: what a user would pass as --repo. */
  clone: string;
  /** Root for beadflow's clones and worktrees. */
  worktrees: string;
  cleanup(): void;
}

const IDENTITY = ['-c', 'user.name=beadflow example', '-c', 'user.email=example@localhost', '-c', 'init.defaultBranch=main'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Copies the sample into `<dir>/clone` (one commit on main) and pushes it to `<dir>/remote.git`. */
export function createSampleRepository(dir: string = mkdtempSync(path.join(os.tmpdir(), 'beadflow-self-healing-'))): SampleRepository {
  const clone = path.join(dir, 'clone');
  const remote = path.join(dir, 'remote.git');
  const worktrees = path.join(dir, 'worktrees');
  mkdirSync(dir, { recursive: true });
  cpSync(SAMPLE_REPOSITORY, clone, { recursive: true });
  git(clone, 'init', '--quiet');
  git(clone, 'add', '--all');
  git(clone, 'commit', '--quiet', '-m', 'Sample package: applyDiscount has a bug');
  git(dir, 'init', '--quiet', '--bare', remote);
  git(clone, 'remote', 'add', 'origin', remote);
  git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  git(remote, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  return { dir, remote, clone, worktrees, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A file as it is on the remote's main branch. */
export function remoteFile(remote: string, file: string = BUGGY_FILE): string {
  return git(remote, 'show', `main:${file}`);
}

/** Commit subjects on the remote's main branch, newest first. */
export function remoteLog(remote: string): string[] {
  return git(remote, 'log', '--format=%s', 'main').split('\n').filter(Boolean);
}

/** The example's command agent: `node fix-agent.mjs` (argv array: works without an exec bit). */
export function fixAgent(personas: Personas = loadPersonas(), killGraceMs?: number): CommandAgent {
  return new CommandAgent({ command: process.execPath, args: [FIX_AGENT], personas, killGraceMs });
}

export function selfHealingDefinition(): ResolvedDefinition {
  const { definition, findings } = loadDefinitionFile(DEFINITION_FILE);
  if (!definition || hasErrors(findings)) throw new Error(`${DEFINITION_FILE} is invalid:\n${findings.map(formatFinding).join('\n')}`);
  return definition;
}
