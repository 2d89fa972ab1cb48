/**
 * Checks at the workflow's entry: the same pure checks `beadflow validate` runs, so a hand-built
 * or stale definition fails fast with a named error instead of wedging mid-run.
 */
import { validateResolved } from '../dsl/checks';
import type { ResolvedDefinition } from '../dsl/types';

export function definitionProblems(def: ResolvedDefinition | undefined): string[] {
  if (!def) return ['no definition in the input'];
  return validateResolved(def)
    .filter((f) => f.severity === 'error')
    .map((f) => f.message);
}
