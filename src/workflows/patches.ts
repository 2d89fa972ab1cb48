/**
 * One marker for every patch a new bead takes. Each `patched(id)` a run meets records a marker and
 * upserts `TemporalChangeVersion` (two history events and a visibility write each), and a plain
 * linear bead met five of them. A run started now records the baseline marker once; while it is
 * present every patch listed here reads as taken, so no other marker is written.
 *
 * Replay stays exact: a history recorded before the baseline has no such marker, so `hasPatch`
 * falls through to the patch's own marker as before. A new patch is not listed here (a run
 * recorded with this baseline ran without it): call `patched()` for it, or start a new baseline.
 */
import { patched } from '@temporalio/workflow';

export const PATCH_BASELINE = 'beadflow-baseline-2026-12';

export const BASELINE_PATCHES = [
  'agent-loop',
  'beadflow-ledger-sync',
  'ceo-child-bead',
  'ceo-child-decides',
  'commit-conflict-resolve',
  'commit-lock',
  'conflict-agent-loop',
  'decision-intake',
  'ledger-after-cancel',
  'ledger-batched',
  'lock-release-in-commit',
  'max-hops-transitions',
  'step-conditions',
  'subworkflow',
  'subworkflow-cancel-waits',
  'turn-deadline-on-activity',
  'workspace-cleanup',
] as const;

export type BaselinePatch = (typeof BASELINE_PATCHES)[number];

/** `patched(id)` for a patch of the baseline: true when the run took the baseline or this patch. */
export function hasPatch(id: BaselinePatch): boolean {
  return patched(PATCH_BASELINE) || patched(id);
}
