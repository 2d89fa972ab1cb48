/**
 * The instructions of a conflict-resolution turn: which files conflict, both sides of each hunk
 * (bounded), the bead's title, and the rule that no conflict marker may remain. Pure.
 */
import type { ConflictHunk } from './conflict-hunks';

export interface ConflictBrief {
  beadId: string;
  title: string;
  targetBranch: string;
  targetSha: string;
  files: string[];
  hunks: ConflictHunk[];
  omitted: number;
  round: number;
  maxRounds: number;
}

const FENCE = '~~~~';

export function conflictInstructions(c: ConflictBrief): string {
  const parts = [
    `Resolve a merge conflict (resolution ${c.round} of at most ${c.maxRounds}).`,
    `Bead ${c.beadId} ("${c.title}") cannot land: its work conflicts with ${c.targetBranch} at ${c.targetSha.slice(0, 10)}, which other beads changed meanwhile. ` +
      `${c.targetBranch} is being merged into the bead's work in your working directory, and git left conflict markers in:`,
    c.files.map((f) => `- ${f}`).join('\n'),
    "Edit each file so it keeps the intent of both sides (the bead's change and what already landed on the target), " +
      'and remove every conflict marker line (`<<<<<<<`, `=======`, `>>>>>>>`). Do not commit, stage or run git merge/rebase: ' +
      'beadflow checks that no markers remain, concludes the merge and retries the commit. Leaving any marker fails this resolution.',
  ];
  for (const h of c.hunks) {
    parts.push(
      `## ${h.file}, line ${h.line}${h.truncated ? ' (cut)' : ''}\n\nThe bead's side:\n${FENCE}\n${h.bead}\n${FENCE}\n\n` +
        `${c.targetBranch}'s side:\n${FENCE}\n${h.target}\n${FENCE}`,
    );
  }
  if (c.omitted > 0) parts.push(`(${c.omitted} more hunk(s) not shown: read the files.)`);
  return parts.join('\n\n');
}
