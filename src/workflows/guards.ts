/**
 * Checks at the workflow's entry: the same pure checks `beadflow validate` runs, so a hand-built
 * or stale definition fails fast with a named error instead of wedging mid-run.
 */
import { validateResolved } from '../dsl/checks';
import type { ResolvedDefinition } from '../dsl/types';

export function definitionProblems(def: ResolvedDefinition | undefined): string[] {
  if (!def) return ['no definition in the input'];
  const unpinned = (def.nodes ?? [])
    .filter((n) => n.type === 'subworkflow' && n.subworkflow && !def.subworkflows?.[n.subworkflow.definition])
    .map(
      (n) =>
        `subworkflow node "${n.key}": child definition "${n.subworkflow?.definition}" is not pinned in the input (start beads with \`beadflow bead start\`)`,
    );
  return [
    ...validateResolved(def)
      .filter((f) => f.severity === 'error')
      .map((f) => f.message),
    ...unpinned,
  ];
}
