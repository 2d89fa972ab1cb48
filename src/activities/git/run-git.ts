/**
 * Git as a child process with an argv array (no shell; bead data stays one argument). The hot
 * path of every turn runs through here rather than simple-git, which waits 50 ms after each
 * command that prints nothing.
 */
import { execFile } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Git without a terminal or pager, never asking for credentials. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };

/** Runs git and returns its exit code and output; never throws for a non-zero exit. */
export function tryGit(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, ...env, ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as NodeJS.ErrnoException).code) : 0, stdout, stderr });
    });
  });
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly result: GitResult,
  ) {
    super(
      `git ${args[0]} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ') || 'no output'}`,
    );
    this.name = 'GitCommandError';
  }
}

/** Runs git; throws GitCommandError on a non-zero exit. Returns stdout. */
export async function runGit(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await tryGit(cwd, args, env);
  if (result.code !== 0) throw new GitCommandError(args, result);
  return result.stdout;
}
