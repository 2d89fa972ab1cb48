/**
 * The CLI's way into the ledger: DATABASE_URL or the embedded default (started on demand), the
 * schema migrated, and errors that say which database and how to get one running.
 */
import type { LedgerConfig } from '../ledger/config';
import { describeConfig, ledgerConfig } from '../ledger/config';
import type { Ledger } from '../ledger/connect';
import { LEDGER_HINT, LedgerUnavailableError, isUnreachable, openLedger } from '../ledger/connect';
import { CliError } from './errors';

export async function withLedger<T>(fn: (ledger: Ledger) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const config = ledgerConfig(env);
  const ledger = await openForCli(config);
  try {
    return await fn(ledger);
  } catch (err) {
    if (isUnreachable(err)) throw unavailable(new LedgerUnavailableError(ledger.where, err));
    throw err;
  } finally {
    await ledger.close().catch(() => undefined);
  }
}

async function openForCli(config: LedgerConfig): Promise<Ledger> {
  if (config.mode === 'off') {
    throw new CliError('the ledger is off (BEADFLOW_LEDGER=off)', {
      hint: 'unset BEADFLOW_LEDGER to use DATABASE_URL or the embedded default',
    });
  }
  try {
    const ledger = await openLedger(config, {
      log: (line) => process.stderr.write(`ledger: ${line}\n`),
      applicationName: 'beadflow-cli',
      max: 3,
    });
    return ledger!;
  } catch (err) {
    if (err instanceof LedgerUnavailableError) throw unavailable(err);
    if (config.mode === 'embedded') {
      throw new CliError(`cannot start the embedded ledger database (${describeConfig(config)}): ${(err as Error).message}`, {
        hint: `see ${config.dir}/postgres.log; or set DATABASE_URL to a PostgreSQL server`,
      });
    }
    throw err;
  }
}

function unavailable(err: LedgerUnavailableError): CliError {
  return new CliError(err.message, { hint: err.unreachable ? LEDGER_HINT : 'check DATABASE_URL (user, password, database name)' });
}

/** A bead id the ledger has never seen. */
export function unknownBead(beadId: string): CliError {
  return new CliError(`no bead ${beadId} in the ledger`, {
    hint: 'list beads with `npx beadflow bead list`; a bead started while the worker ran with --no-ledger is not recorded',
  });
}
