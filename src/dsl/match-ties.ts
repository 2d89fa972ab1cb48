/**
 * Definitions from different files that claim the same label or title keyword at the same match
 * priority: the one loaded later would take those beads, which is how another project's files
 * could quietly take over the defaults' beads. Reported as a warning at the later file, naming
 * both. Pure.
 */
import type { Finding } from './finding';
import type { ResolvedDefinition } from './types';

/** `defs` in load order (a later one wins ties at selection). */
export function matchTies(defs: readonly ResolvedDefinition[]): Finding[] {
  const findings: Finding[] = [];
  defs.forEach((later, i) => {
    if (!later.match) return;
    for (const earlier of defs.slice(0, i)) {
      if (!earlier.match || earlier.source === later.source || earlier.match.priority !== later.match.priority) continue;
      const shared = [
        ...common(earlier.match.labels, later.match.labels).map((l) => `label "${l}"`),
        ...common(earlier.match.titleKeywords, later.match.titleKeywords).map((k) => `title keyword "${k}"`),
      ];
      if (shared.length === 0) continue;
      const more = shared.length > 3 ? ` and ${shared.length - 3} more` : '';
      findings.push({
        file: later.source ?? later.id,
        line: 1,
        col: 1,
        severity: 'warning',
        code: 'match-tie',
        message:
          `${later.id} and ${earlier.id} (${earlier.source ?? 'no file'}) both match ${shared.slice(0, 3).join(', ')}${more} ` +
          `at match priority ${later.match.priority}; ${later.id}, loaded later, takes those beads`,
        hint: 'give the one that should win a higher match_criteria.priority (or the other a lower one)',
      });
    }
  });
  return findings;
}

function common(a: readonly string[], b: readonly string[]): string[] {
  const lower = new Set(b.map((x) => x.trim().toLowerCase()));
  return a.filter((x) => lower.has(x.trim().toLowerCase()));
}
