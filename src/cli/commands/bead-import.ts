import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseBdJsonl } from '../../ledger/bd-import';
import type { ImportSummary } from '../../ledger/bd-merge';
import { importBdBeads } from '../../ledger/bd-merge';
import { action } from '../action';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

/** `bead import --from-beads .beads/issues.jsonl`: the bd tool's issues into the ledger backlog. */
export function registerBeadImport(bead: Command): void {
  bead
    .command('import')
    .description("import the bd tool's issues (.beads/issues.jsonl) into the ledger; beads imported before are updated, dependencies kept")
    .requiredOption('--from-beads <file>', "bd's JSONL file, e.g. .beads/issues.jsonl")
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { fromBeads: string; json?: boolean }) => {
        let content: string;
        try {
          content = readFileSync(flags.fromBeads, 'utf8');
        } catch (err) {
          throw usageError(
            `cannot read ${flags.fromBeads}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
            'pass the path of a bd JSONL file, e.g. --from-beads .beads/issues.jsonl',
          );
        }
        const parsed = parseBdJsonl(content, flags.fromBeads);
        for (const p of parsed.problems) process.stderr.write(`warning: ${p}\n`);
        if (parsed.beads.length === 0 && parsed.problems.length > 0) {
          throw new CliError(`no usable issues in ${flags.fromBeads}`, {
            hint: 'each line must be a JSON object with at least "id" and "title" (bd export format)',
          });
        }
        let r: ImportSummary | undefined;
        await withLedger(async (ledger) => void (r = await importBdBeads(ledger.pool, parsed.beads)));
        const done = r!;
        for (const id of done.foreign)
          process.stderr.write(`warning: ${id} is already in the ledger and did not come from bd; left as it is\n`);
        if (done.unknownDependencies.length)
          process.stderr.write(
            `warning: dependencies on beads that are not in the ledger: ${done.unknownDependencies.join(', ')}; the beads that depend on them wait until they exist and are closed\n`,
          );
        const summary = {
          imported: done.imported.length,
          updated: done.updated.length,
          unchanged: done.unchanged.length,
          existing: done.updated.length + done.unchanged.length + done.foreign.length,
          notFromBd: done.foreign.length,
          skipped: parsed.skipped,
          problems: parsed.problems.length,
          ids: done.imported,
          updatedIds: done.updated,
          unknownDependencies: done.unknownDependencies,
        };
        if (flags.json) return printJson(summary);
        process.stdout.write(
          `imported ${done.imported.length} bead(s) from ${flags.fromBeads}; ${done.updated.length} updated, ${done.unchanged.length} unchanged` +
            `${done.foreign.length ? `, ${done.foreign.length} not from bd (left as they are)` : ''}` +
            `${parsed.skipped ? `; ${parsed.skipped} deleted (tombstone) skipped` : ''}${parsed.problems.length ? `; ${parsed.problems.length} line(s) unusable` : ''}\n`,
        );
      }),
    );
}
