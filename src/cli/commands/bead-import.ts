import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseBdJsonl } from '../../ledger/bd-import';
import { insertBead } from '../../ledger/beads';
import { action } from '../action';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';

/** `bead import --from-beads .beads/issues.jsonl`: the bd tool's issues into the ledger backlog. */
export function registerBeadImport(bead: Command): void {
  bead
    .command('import')
    .description("import the bd tool's issues (.beads/issues.jsonl) into the ledger; existing ids are left as they are")
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
        const imported: string[] = [];
        const existing: string[] = [];
        await withLedger(async (ledger) => {
          for (const b of parsed.beads) ((await insertBead(ledger.pool, b)) ? imported : existing).push(b.id!);
        });
        const summary = {
          imported: imported.length,
          existing: existing.length,
          skipped: parsed.skipped,
          problems: parsed.problems.length,
          ids: imported,
        };
        if (flags.json) return printJson(summary);
        process.stdout.write(
          `imported ${imported.length} bead(s) from ${flags.fromBeads}; ${existing.length} already in the ledger (left as they are)` +
            `${parsed.skipped ? `; ${parsed.skipped} deleted (tombstone) skipped` : ''}${parsed.problems.length ? `; ${parsed.problems.length} line(s) unusable` : ''}\n`,
        );
      }),
    );
}
