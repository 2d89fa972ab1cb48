/**
 * Keeps a model's file tools inside the bead's worktree: relative paths only, no `..` out of it,
 * no symlink that leads out, nothing under `.git`. A refusal is a tool error the model reads.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

export class ToolError extends Error {}

/** The absolute path of `rel` inside `root`, or a ToolError saying why not. */
export function insideWorktree(root: string, rel: unknown, what = 'path'): string {
  if (typeof rel !== 'string' || rel.trim() === '')
    throw new ToolError(`${what} must be a path relative to the worktree, e.g. src/index.ts`);
  if (rel.includes('\0')) throw new ToolError(`${what} contains a NUL byte`);
  if (path.isAbsolute(rel)) throw new ToolError(`${what} "${rel}" is absolute: give it relative to the worktree root`);
  const realRoot = realpathSync(root);
  const target = path.resolve(realRoot, rel);
  if (!within(realRoot, target)) throw new ToolError(`${what} "${rel}" leaves the worktree: only files inside it can be used`);
  const relative = path.relative(realRoot, target);
  if (relative === '.git' || relative.startsWith(`.git${path.sep}`))
    throw new ToolError(`${what} "${rel}" is inside .git, which the tools do not touch`);
  if (danglingSymlink(target)) throw new ToolError(`${what} "${rel}" is a symlink to nowhere; it is not followed`);
  // The nearest part of the path that exists decides where a symlink leads.
  const real = realpathSync(nearestExisting(target));
  if (!within(realRoot, real)) throw new ToolError(`${what} "${rel}" goes through a symlink that leads out of the worktree`);
  return target;
}

function danglingSymlink(target: string): boolean {
  try {
    if (!lstatSync(target).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  try {
    realpathSync(target);
    return false;
  } catch {
    return true;
  }
}

function within(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function nearestExisting(target: string): string {
  let current = target;
  for (;;) {
    try {
      realpathSync(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Cuts a tool result at `max` characters with a note the model can act on. */
export function capText(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  return {
    text: `${text.slice(0, max)}\n[cut: ${text.length} characters, only the first ${max} shown; read a smaller part or search for what you need]`,
    truncated: true,
  };
}
