/**
 * The worker's ledger: opened at start, migrations applied (under an advisory lock, so workers
 * starting together take turns), and `recordBeadProgress` bound to it. A configured database
 * that is down at start does not stop the worker: beads run, their writes retry, and the
 * migrations are retried in the background until the database answers.
 */
import { createLedgerActivities, noLedgerActivities } from '../activities/ledger';
import { BeadflowError } from '../shared/errors';
import type { LedgerConfig } from '../ledger/config';
import { describeConfig, redactUrl } from '../ledger/config';
import { LEDGER_HINT, createPool } from '../ledger/connect';
import { ensureEmbeddedLedger, stopEmbeddedLedger } from '../ledger/embedded';
import { migrate } from '../ledger/migrate';
import type { LedgerActivities } from '../ledger/progress';

export interface WorkerLedger {
  activities: LedgerActivities;
  /** For the worker's start line. */
  description: string;
  /** Resolves once the schema is migrated (never, while the database stays down). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface WorkerLedgerOptions {
  log?: (line: string) => void;
  /** Between migration attempts while the database is down (default 5 s). */
  retryMs?: number;
  /** close() also stops the embedded database if this call started it (the demo leaves nothing running). */
  stopEmbeddedOnClose?: boolean;
}

export async function openWorkerLedger(config: LedgerConfig, opts: WorkerLedgerOptions = {}): Promise<WorkerLedger> {
  const log = opts.log ?? ((line: string) => console.log(`beadflow worker: ${line}`));
  if (config.mode === 'off') {
    return { activities: noLedgerActivities, description: 'ledger off', ready: Promise.resolve(), close: async () => undefined };
  }
  let url: string;
  let startedEmbedded = false;
  try {
    if (config.mode === 'embedded') {
      const embedded = await ensureEmbeddedLedger(config.dir, log);
      url = embedded.url;
      startedEmbedded = embedded.started;
    } else url = config.url;
  } catch (err) {
    throw new BeadflowError(`cannot start the embedded ledger database (${describeConfig(config)}): ${(err as Error).message}`, {
      hint: LEDGER_HINT,
    });
  }
  const pool = createPool(url, { applicationName: 'beadflow-worker', max: 10 });
  let closed = false;
  let firstAttemptDone: () => void = () => undefined;
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const ready = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        const { applied } = await migrate(pool);
        if (applied.length) log(`ledger migrations applied: ${applied.join(', ')}`);
        firstAttemptDone();
        return;
      } catch (err) {
        if (attempt === 1)
          log(`warning: ledger at ${redactUrl(url)} not ready (${(err as Error).message}); beads run anyway and their ledger writes retry`);
        firstAttemptDone();
        await new Promise((r) => setTimeout(r, opts.retryMs ?? 5_000));
      }
    }
  })();
  // The first attempt decides what the start line says; later ones run in the background.
  await firstAttempt;
  return {
    activities: createLedgerActivities({ pool, where: redactUrl(url), close: () => pool.end() }),
    description: `ledger ${config.mode === 'embedded' ? describeConfig(config) : redactUrl(url)}`,
    ready,
    close: async () => {
      closed = true;
      await pool.end().catch(() => undefined);
      if (startedEmbedded && opts.stopEmbeddedOnClose && config.mode === 'embedded') await stopEmbeddedLedger(config.dir);
    },
  };
}
