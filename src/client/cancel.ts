/** Cancelling a bead: who and why first (a signal), then Temporal's cancellation, then its end. */
import type { Client } from '@temporalio/client';
import { BeadflowError } from '../shared/errors';
import { LIMITS } from '../shared/limits';
import { cancelSignal } from '../workflows/messages';
import { beadRun } from './beads';

export async function cancelBead(
  client: Client,
  beadId: string,
  by: string,
  reason: string,
  waitMs = 30_000,
): Promise<{ temporalStatus: string }> {
  const run = await beadRun(client, beadId);
  if (run.temporalStatus !== 'RUNNING') {
    throw new BeadflowError(`bead ${beadId} is not running (Temporal says ${run.temporalStatus.toLowerCase()})`, {
      hint: 'only a running bead can be cancelled',
    });
  }
  await run.handle.signal(cancelSignal, { by: by.slice(0, LIMITS.byChars), reason: reason.slice(0, LIMITS.reasonChars) });
  await run.handle.cancel();
  // The bead releases its commit lock and writes its end before it closes: wait for that, bounded.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = (await run.handle.describe()).status.name;
    if (status !== 'RUNNING' || Date.now() > deadline) return { temporalStatus: status };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
