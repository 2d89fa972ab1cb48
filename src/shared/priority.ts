import { PRIORITIES } from './bead';

/** Bead priority → Temporal task priority: P0 → 1 (first) ... P4 → 5; anything else → Temporal's default, 3. */
export function priorityKey(priority: string | undefined): number {
  const i = (PRIORITIES as readonly string[]).indexOf(priority ?? '');
  return i >= 0 ? i + 1 : 3;
}
