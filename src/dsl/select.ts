/**
 * Which definition a new bead runs: an explicit type (workflow_type or id), else the bead's
 * labels, else keywords of its title, else the `bug` definition. Among several matches the
 * highest match priority wins, then the one loaded last (user directories load after the
 * defaults). Another project's files get no edge over the defaults but that order, and a tie is
 * never silent: the selection carries a warning naming both files. Pure TS.
 */
import type { ResolvedDefinition } from './types';

export interface BeadFacts {
  type?: string;
  labels?: readonly string[];
  title?: string;
}

export interface Selection {
  definition: ResolvedDefinition;
  by: 'type' | 'label' | 'title' | 'fallback';
  /** Why, for logs and `bead start` output, e.g. `title keyword "crash"`. */
  reason: string;
  /** Set when another definition matched at the same priority: which, from which files, and what to do. */
  warning?: string;
}

export const FALLBACK_TYPE = 'bug';

type CatalogLike = { definitions: ReadonlyMap<string, ResolvedDefinition> } | ReadonlyMap<string, ResolvedDefinition>;

/** Undefined when an explicit type matches nothing, or nothing matches and there is no bug definition. */
export function selectDefinition(catalog: CatalogLike, bead: BeadFacts): Selection | undefined {
  const all = [...('definitions' in catalog ? catalog.definitions : catalog).values()];
  const type = bead.type?.trim();
  if (type) {
    const byId = all.find((d) => d.id === type);
    const def =
      byId ??
      best(
        all.filter((d) => d.workflowType === type),
        (d) => (d.isDefault ? 1 : 0),
      );
    return def && { definition: def, by: 'type', reason: byId ? `id "${type}"` : `workflow_type "${type}"` };
  }

  const labels = new Set((bead.labels ?? []).map((l) => l.trim().toLowerCase()));
  const labelled = all.filter((d) => d.match?.labels.some((l) => labels.has(l.toLowerCase())));
  const byLabel = best(labelled, priority);
  if (byLabel) {
    const label = byLabel.match?.labels.find((l) => labels.has(l.toLowerCase()));
    return withTie({ definition: byLabel, by: 'label', reason: `label "${label}"` }, labelled);
  }

  const title = bead.title ?? '';
  const titled = all.filter((d) => d.match?.titleKeywords.some((k) => titleHasKeyword(title, k)));
  const byTitle = best(titled, priority);
  if (byTitle) {
    const keyword = byTitle.match?.titleKeywords.find((k) => titleHasKeyword(title, k));
    return withTie({ definition: byTitle, by: 'title', reason: `title keyword "${keyword}"` }, titled);
  }

  const fallback =
    all.find((d) => d.id === FALLBACK_TYPE) ??
    best(
      all.filter((d) => d.workflowType === FALLBACK_TYPE),
      (d) => (d.isDefault ? 1 : 0),
    );
  return (
    fallback && { definition: fallback, by: 'fallback', reason: `no type, label or title keyword matched: the ${FALLBACK_TYPE} definition` }
  );
}

/**
 * Whole words or phrases, case-insensitive: "build" matches "Fix the build" but not "rebuild"
 * or "building" (Loom's substring test sent those to the UI workflow). A keyword that starts or
 * ends with punctuation, like "[Refactor]", matches literally at that side.
 */
export function titleHasKeyword(title: string, keyword: string): boolean {
  const words = keyword.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return false;
  const body = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
  const wordChar = /[\p{L}\p{N}_]/u;
  const text = keyword.trim();
  const before = wordChar.test(text[0]) ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = wordChar.test(text[text.length - 1]) ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${before}${body}${after}`, 'iu').test(title);
}

const priority = (d: ResolvedDefinition) => d.match?.priority ?? 0;

/** The other matches at the winner's priority, named with their files, as a warning. */
function withTie(selection: Selection, matched: ResolvedDefinition[]): Selection {
  const winner = selection.definition;
  const tied = matched.filter((d) => d !== winner && priority(d) === priority(winner));
  if (tied.length === 0) return selection;
  const name = (d: ResolvedDefinition) => `${d.id} (${d.source ?? 'no file'})`;
  return {
    ...selection,
    warning:
      `${selection.reason} also matches ${tied.map(name).join(', ')} at the same match priority ${priority(winner)}; ` +
      `took ${name(winner)}, loaded last; give the one you mean a higher match_criteria.priority, or start the bead with --type`,
  };
}

/** Highest score; on a tie the later one (loaded from a later directory) wins. */
function best(defs: ResolvedDefinition[], score: (d: ResolvedDefinition) => number): ResolvedDefinition | undefined {
  let winner: ResolvedDefinition | undefined;
  for (const d of defs) if (!winner || score(d) >= score(winner)) winner = d;
  return winner;
}
