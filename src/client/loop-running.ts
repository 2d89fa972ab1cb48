/**
 * The beads a loop started and still watches: running ones hold a slot; one waiting for a person
 * (approval, escalation) frees its slot, since the loop cannot hurry a person, and is still
 * watched so its end is seen (and its follow-ups filed) while the loop runs.
 */
import type { BeadState } from '../workflows/messages';
import type { Critical } from './loop-critical';
import { criticalClose } from './loop-critical';
import type { BeadHandle } from './start';

export interface Ended {
  beadId: string;
  /** The bead's own final status (completed, failed, ...), or Temporal's word for a run closed under it. */
  status: string;
  critical?: Critical;
}

export class Running {
  private readonly beads = new Map<string, { handle: BeadHandle; holdsSlot: boolean }>();

  add(beadId: string, handle: BeadHandle): void {
    this.beads.set(beadId, { handle, holdsSlot: true });
  }

  slotsTaken(): number {
    return [...this.beads.values()].filter((b) => b.holdsSlot).length;
  }

  ids(): string[] {
    return [...this.beads.keys()];
  }

  /** Looks at each bead; returns the ones that ended since the last look. */
  async refresh(log: (line: string) => void): Promise<Ended[]> {
    const ended: Ended[] = [];
    for (const [beadId, bead] of this.beads) {
      const desc = await bead.handle.describe().catch(() => undefined);
      if (desc && desc.status.name !== 'RUNNING') {
        const state = await bead.handle.query<BeadState>('state').catch(() => undefined);
        const failure = await bead.handle.result().then(
          () => undefined,
          (err: Error) => innermost(err),
        );
        const critical = criticalClose(beadId, desc.status.name, failure);
        const status = critical ? desc.status.name.toLowerCase() : (state?.status ?? desc.status.name.toLowerCase());
        this.beads.delete(beadId);
        ended.push({ beadId, status, ...(critical ? { critical } : {}) });
        log(`${beadId} ended: ${status}`);
        continue;
      }
      const state = await bead.handle.query<BeadState>('state').catch(() => undefined);
      if (!state) continue;
      // Only a wait for a person frees the slot: a bead that reports its end but is still closing (its last ledger write) holds it.
      const holdsSlot = state.status !== 'waiting_approval' && state.status !== 'escalated';
      if (holdsSlot !== bead.holdsSlot && !holdsSlot)
        log(`${beadId} waits for a person (${state.status} at ${state.currentNode}); its slot is free`);
      bead.holdsSlot = holdsSlot;
    }
    return ended;
  }
}

/** The deepest cause's message: Temporal wraps the workflow's own error. */
function innermost(err: Error): string {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}
