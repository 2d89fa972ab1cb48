/** Reading a worktree git left mid-merge: the unmerged paths, their hunks, and which files still carry markers. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { boundHunks, fileHunks, hasConflictMarkers, type ConflictHunk, type OursIs } from './conflict-hunks';
import { runGit } from './run-git';

export async function unmergedFiles(dir: string): Promise<string[]> {
  return (await runGit(dir, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
}

/** The hunks of `files`, bounded for history and prompts (files deleted on one side have none). */
export function readConflictHunks(dir: string, files: string[], oursIs: OursIs): { hunks: ConflictHunk[]; omitted: number } {
  return boundHunks(files.flatMap((f) => fileHunks(f, readText(dir, f), oursIs)));
}

/** Those of `files` that still have a conflict marker line. */
export function filesWithMarkers(dir: string, files: string[]): string[] {
  return files.filter((f) => hasConflictMarkers(readText(dir, f)));
}

function readText(dir: string, file: string): string {
  const full = path.join(dir, file);
  return existsSync(full) ? readFileSync(full, 'utf8') : '';
}
