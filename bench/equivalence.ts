/** Checks that the interpreter and the hand-written workflow sent the agent the same turns. */
import { isDeepStrictEqual } from 'node:util';
import type { TurnRecord } from './worker-protocol';

export interface Equivalence {
  identical: boolean;
  turns: number;
  /** The first difference, for the report. */
  difference?: string;
}

/** Compares two beads' turn inputs in order, ignoring the bead id. */
export function compareTurnInputs(a: TurnRecord[], b: TurnRecord[]): Equivalence {
  const strip = (t: TurnRecord): Record<string, unknown> =>
    JSON.parse(JSON.stringify({ ...(t.input as object), beadId: '' })) as Record<string, unknown>;
  const left = [...a].sort((x, y) => x.start - y.start).map(strip);
  const right = [...b].sort((x, y) => x.start - y.start).map(strip);
  if (left.length !== right.length) return { identical: false, turns: left.length, difference: `${left.length} turns vs ${right.length}` };
  for (let i = 0; i < left.length; i++) {
    if (!isDeepStrictEqual(left[i], right[i])) {
      const keys = [...new Set([...Object.keys(left[i]), ...Object.keys(right[i])])].filter(
        (k) => !isDeepStrictEqual(left[i][k], right[i][k]),
      );
      return {
        identical: false,
        turns: left.length,
        difference: `turn ${i + 1} differs in ${keys.join(', ')}: ${JSON.stringify(keys.map((k) => [left[i][k], right[i][k]]))}`,
      };
    }
  }
  return { identical: true, turns: left.length };
}
