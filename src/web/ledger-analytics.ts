/**
 * The analytics view's data: the ledger's SQL analytics when a ledger is configured (DATABASE_URL,
 * or an embedded ledger that already exists), opened on first use and kept; a plain "not
 * configured" answer, with what to do, otherwise. The page never starts a database.
 */
import { existsSync } from 'node:fs';
import { describeConfig, ledgerConfig } from '../ledger/config';
import type { Ledger } from '../ledger/connect';
import { LEDGER_HINT, openLedger } from '../ledger/connect';
import { analytics } from '../ledger/queries';
import type { AnalyticsAnswer } from './api-catalog';

export interface LedgerAnalytics {
  answer(): Promise<AnalyticsAnswer>;
  close(): Promise<void>;
}

export function ledgerAnalytics(env: NodeJS.ProcessEnv = process.env): LedgerAnalytics {
  const config = ledgerConfig(env);
  let opening: Promise<Ledger | undefined> | undefined;
  return {
    async answer() {
      if (config.mode === 'off') {
        return {
          configured: false,
          message: 'the ledger is off (BEADFLOW_LEDGER=off)',
          hint: 'unset BEADFLOW_LEDGER and set DATABASE_URL',
        };
      }
      if (config.mode === 'embedded' && !existsSync(config.dir)) {
        return {
          configured: false,
          message: `no ledger is configured: DATABASE_URL is unset and there is no embedded ledger at ${config.dir}`,
          hint: 'set DATABASE_URL to the ledger PostgreSQL, or run a worker once (it creates the embedded ledger)',
        };
      }
      opening ??= openLedger(config, { migrate: false, applicationName: 'beadflow-ui', max: 2 });
      let ledger: Ledger | undefined;
      try {
        ledger = await opening;
      } catch (err) {
        opening = undefined;
        return {
          configured: false,
          message: `the ledger at ${describeConfig(config)} cannot be read: ${(err as Error).message}`,
          hint: LEDGER_HINT,
        };
      }
      if (!ledger) return { configured: false, message: 'no ledger is configured', hint: 'set DATABASE_URL' };
      try {
        return { configured: true, where: ledger.where, analytics: await analytics(ledger.pool) };
      } catch (err) {
        return { configured: false, message: `the ledger at ${ledger.where} failed: ${(err as Error).message}`, hint: LEDGER_HINT };
      }
    },
    async close() {
      const ledger = await opening?.catch(() => undefined);
      await ledger?.close().catch(() => undefined);
    },
  };
}
