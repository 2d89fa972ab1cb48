import type { Command } from 'commander';
import { describeConfig, ledgerConfig, redactUrl } from '../../ledger/config';
import { embeddedLedgerStatus, ensureEmbeddedLedger, stopEmbeddedLedger } from '../../ledger/embedded';
import { action } from '../action';
import { CliError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

/** `ledger status|start|stop`: where the ledger is; start or stop the embedded one. */
export function register(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the PostgreSQL ledger: DATABASE_URL, or the embedded default in .beadflow/postgres');
  ledger
    .command('status')
    .description('which database, whether it answers, schema version and row counts')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { json?: boolean }) => {
        const config = ledgerConfig();
        if (config.mode === 'off') {
          if (flags.json) return printJson({ mode: 'off' });
          process.stdout.write('ledger off (BEADFLOW_LEDGER=off)\n');
          return;
        }
        const embedded = config.mode === 'embedded' ? embeddedLedgerStatus(config.dir) : undefined;
        const counts = await withLedger(async (l) => {
          const { rows } = await l.pool.query<{ version: number; beads: number; executions: number; history: number }>(
            `SELECT (SELECT max(version) FROM beadflow_migrations)::int AS version, (SELECT count(*) FROM beads)::int AS beads,
               (SELECT count(*) FROM workflow_executions)::int AS executions, (SELECT count(*) FROM workflow_execution_history)::int AS history`,
          );
          return { where: l.where, ...rows[0] };
        });
        const status = { mode: config.mode, ...counts, ...(embedded ? { logFile: embedded.logFile } : {}) };
        if (flags.json) return printJson(status);
        process.stdout.write(
          `ledger      ${counts.where}\nschema      version ${counts.version}\nrows        ${counts.beads} beads, ${counts.executions} executions, ${counts.history} history entries\n`,
        );
      }),
    );
  ledger
    .command('start')
    .description('start the embedded ledger database (the worker and the CLI also start it on demand)')
    .action(
      action(async () => {
        const config = embeddedOnly('start');
        const e = await ensureEmbeddedLedger(config.dir, (line) => process.stderr.write(`ledger: ${line}\n`));
        process.stdout.write(`${e.started ? 'started' : 'already running'}: ${redactUrl(e.url)} (${describeConfig(config)})\n`);
      }),
    );
  ledger
    .command('stop')
    .description('stop the embedded ledger database (its data stays in .beadflow/postgres)')
    .action(
      action(async () => {
        const config = embeddedOnly('stop');
        process.stdout.write(
          (await stopEmbeddedLedger(config.dir))
            ? 'stopped the embedded ledger database\n'
            : 'the embedded ledger database is not running\n',
        );
      }),
    );
}

function embeddedOnly(verb: string): { mode: 'embedded'; dir: string } {
  const config = ledgerConfig();
  if (config.mode !== 'embedded') {
    throw new CliError(`\`ledger ${verb}\` manages the embedded database, but the ledger is ${describeConfig(config)}`, {
      hint: 'unset DATABASE_URL and BEADFLOW_LEDGER to use the embedded default',
    });
  }
  return config;
}
