/**
 * Conflict hunks read from files git left with conflict markers, named by side (`bead` / `target`)
 * rather than git's ours/theirs, which swap between the commit's squash (target checked out) and
 * the resolution's merge (the bead's work checked out). Bounded, because they travel in workflow
 * history and in an agent's prompt. Pure.
 */

export interface ConflictHunk {
  file: string;
  /** 1-based line of the `<<<<<<<` marker. */
  line: number;
  /** The bead's side and the target's side, each cut to `sideChars`. */
  bead: string;
  target: string;
  /** A side was cut. */
  truncated?: boolean;
}

export interface HunkLimits {
  /** Characters kept per side of a hunk. */
  sideChars: number;
  /** Hunks kept over all files. */
  hunks: number;
  /** Characters kept over all hunks (both sides). */
  totalChars: number;
}

export const HUNK_LIMITS: HunkLimits = { sideChars: 1_500, hunks: 12, totalChars: 12_000 };

/** Which side git checked out: `ours` is the bead's work (resolution merge) or the target (commit squash). */
export type OursIs = 'bead' | 'target';

const START = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const MIDDLE = /^={7}$/;
const END = /^>{7}(?: |$)/;

/** True when the text still has a start or end conflict marker line (`=======` alone is a legal heading underline). */
export function hasConflictMarkers(text: string): boolean {
  return text.split('\n').some((l) => START.test(l) || END.test(l));
}

/** Every complete hunk of one file, in order; unterminated markers are ignored. */
export function fileHunks(file: string, text: string, oursIs: OursIs, sideChars = HUNK_LIMITS.sideChars): ConflictHunk[] {
  const hunks: ConflictHunk[] = [];
  const lines = text.split('\n');
  let open: { line: number; ours: string[]; base: string[]; theirs: string[]; part: 'ours' | 'base' | 'theirs' } | undefined;
  lines.forEach((l, i) => {
    if (START.test(l)) open = { line: i + 1, ours: [], base: [], theirs: [], part: 'ours' };
    else if (!open) return;
    else if (BASE.test(l) && open.part === 'ours') open.part = 'base';
    else if (MIDDLE.test(l) && open.part !== 'theirs') open.part = 'theirs';
    else if (END.test(l) && open.part === 'theirs') {
      const [ours, oursCut] = cut(open.ours.join('\n'), sideChars);
      const [theirs, theirsCut] = cut(open.theirs.join('\n'), sideChars);
      const [bead, target] = oursIs === 'bead' ? [ours, theirs] : [theirs, ours];
      hunks.push({ file, line: open.line, bead, target, ...(oursCut || theirsCut ? { truncated: true } : {}) });
      open = undefined;
    } else open[open.part].push(l);
  });
  return hunks;
}

/** Hunks over several files within the limits; `omitted` counts the hunks left out. */
export function boundHunks(hunks: ConflictHunk[], limits: HunkLimits = HUNK_LIMITS): { hunks: ConflictHunk[]; omitted: number } {
  const kept: ConflictHunk[] = [];
  let total = 0;
  for (const h of hunks) {
    const size = h.bead.length + h.target.length;
    if (kept.length >= limits.hunks || total + size > limits.totalChars) break;
    kept.push(h);
    total += size;
  }
  return { hunks: kept, omitted: hunks.length - kept.length };
}

function cut(text: string, max: number): [string, boolean] {
  if (text.length <= max) return [text, false];
  return [`${text.slice(0, max)}\n… (${text.length - max} more characters)`, true];
}
