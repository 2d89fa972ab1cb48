/**
 * When the backlog loop stops instead of going on. A bead whose work goes badly (fails, escalates,
 * is rejected or cancelled) is the backlog's business: a person looks at it and the loop moves on.
 * A **critical** failure is one that would make every next bead fail the same way, so going on
 * would only burn the backlog:
 * - the ledger or the Temporal server cannot be read or written (down, wrong address, namespace);
 * - a bead's run was closed by Temporal instead of ending by its definition: the workflow itself
 *   failed (its input or definition refused, a bug), was terminated, or timed out.
 * The loop then stops with the reason; beads it started keep running in Temporal.
 */
import { BeadflowError } from '../shared/errors';

export interface Critical {
  beadId?: string;
  reason: string;
  hint: string;
}

/** Temporal's status of a closed run that means the engine, not the work, went wrong. */
const CRITICAL_CLOSES: Record<string, string> = {
  FAILED: 'its workflow failed (not a failure by its definition: the run itself broke)',
  TERMINATED: 'its run was terminated',
  TIMED_OUT: 'its run timed out',
};

/** Undefined when a closed run ended as a definition says a bead ends. */
export function criticalClose(beadId: string, temporalStatus: string, failure?: string): Critical | undefined {
  const why = CRITICAL_CLOSES[temporalStatus];
  if (!why) return undefined;
  return {
    beadId,
    reason: `bead ${beadId}: ${why}${failure ? `: ${failure}` : ''}`,
    hint: `see why with \`npx beadflow status ${beadId}\` or in the Temporal Web UI; fix it, then run \`npx beadflow loop\` again`,
  };
}

/** An error while reading the backlog or starting a bead: a BeadflowError about one bead is not critical. */
export function criticalError(err: unknown, doing: string, beadId?: string): Critical | undefined {
  if (err instanceof BeadflowError && beadId) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  return {
    ...(beadId ? { beadId } : {}),
    reason: `${doing}: ${message}`,
    hint:
      err instanceof BeadflowError && err.hint
        ? err.hint
        : 'check that the Temporal server (TEMPORAL_ADDRESS) and the ledger (DATABASE_URL) are up, then run `npx beadflow loop` again',
  };
}
