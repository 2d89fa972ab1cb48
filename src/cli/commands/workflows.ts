import type { Command } from 'commander';
import { defaultDefinitionDirs, loadCatalog } from '../../dsl';
import type { ResolvedDefinition } from '../../dsl/types';
import { definitionHash } from '../../ledger/definitions';
import type { LedgerDefinitionDetail, LedgerDefinitionRow } from '../../ledger/queries';
import { getLedgerDefinition, listLedgerDefinitions } from '../../ledger/queries';
import { action } from '../action';
import { CliError } from '../errors';
import { printJson } from '../format';
import { withLedger } from '../ledger';
import { table, truncate } from '../table';

/** `workflows list|show`: definitions from the catalog (definitions/ + yours) and from the ledger (what ran). */
export function register(program: Command): void {
  const workflows = program
    .command('workflows')
    .description('definitions: the catalog (definitions/, BEADFLOW_DEFINITIONS) and those recorded in the ledger');
  workflows
    .command('list')
    .description('every definition in the catalog or the ledger, with its run count')
    .option('--definitions <dir>', 'extra definitions directory (BEADFLOW_DEFINITIONS)')
    .option('--json', 'machine-readable output')
    .action(action(async (flags: { definitions?: string; json?: boolean }) => list(flags)));
  workflows
    .command('show <id>')
    .description("a definition's nodes and edges (the catalog's, else the ledger's)")
    .option('--definitions <dir>', 'extra definitions directory (BEADFLOW_DEFINITIONS)')
    .option('--json', 'machine-readable output')
    .action(action(async (id: string, flags: { definitions?: string; json?: boolean }) => show(id, flags)));
}

/** Ledger rows when a ledger is reachable; the catalog alone (with a warning) when not. */
async function fromLedger<T>(fn: Parameters<typeof withLedger<T>>[0]): Promise<T | undefined> {
  try {
    return await withLedger(fn);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`warning: ${err.message}; showing the catalog only\n`);
    return undefined;
  }
}

async function list(flags: { definitions?: string; json?: boolean }): Promise<void> {
  const catalog = loadCatalog(defaultDefinitionDirs(flags.definitions));
  const recorded = (await fromLedger((ledger) => listLedgerDefinitions(ledger.pool))) ?? [];
  const byId = new Map<
    string,
    {
      id: string;
      name: string;
      workflow_type: string;
      is_default: boolean;
      in_catalog: boolean;
      in_ledger: boolean;
      executions: number;
      changed_since_recorded: boolean;
    }
  >();
  for (const d of catalog.definitions.values()) {
    byId.set(d.id, {
      id: d.id,
      name: d.name,
      workflow_type: d.workflowType,
      is_default: d.isDefault,
      in_catalog: true,
      in_ledger: false,
      executions: 0,
      changed_since_recorded: false,
    });
  }
  for (const w of recorded) {
    const known = byId.get(w.id);
    const hash = known && definitionHash(catalog.definitions.get(w.id)!);
    byId.set(w.id, {
      ...(known ?? { id: w.id, name: w.name, workflow_type: w.workflow_type, is_default: w.is_default, in_catalog: false }),
      in_ledger: true,
      executions: w.executions,
      changed_since_recorded: !!known && !!w.definition_hash && hash !== w.definition_hash,
    });
  }
  const rows = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  if (flags.json) return printJson(rows);
  process.stdout.write(
    `${table(
      ['ID', 'TYPE', 'DEFAULT', 'WHERE', 'RUNS', 'NAME'],
      rows.map((r) => [
        r.id,
        r.workflow_type,
        r.is_default ? 'yes' : '',
        [r.in_catalog ? 'catalog' : '', r.in_ledger ? `ledger${r.changed_since_recorded ? ' (older version)' : ''}` : '']
          .filter(Boolean)
          .join(', '),
        r.executions,
        truncate(r.name, 50),
      ]),
    )}\n`,
  );
}

async function show(id: string, flags: { definitions?: string; json?: boolean }): Promise<void> {
  const catalog = loadCatalog(defaultDefinitionDirs(flags.definitions));
  const def = catalog.definitions.get(id) ?? [...catalog.definitions.values()].find((d) => d.workflowType === id && d.isDefault);
  const recorded = def ? undefined : await fromLedger((ledger) => getLedgerDefinition(ledger.pool, id));
  if (!def && !recorded) {
    throw new CliError(`no definition "${id}" in the catalog or the ledger`, { hint: 'list them with `npx beadflow workflows list`' });
  }
  if (flags.json) return printJson(def ? { source: 'catalog', definition: def } : { source: 'ledger', ...recorded });
  process.stdout.write(`${def ? describeCatalog(def) : describeLedger(recorded!)}\n`);
}

function describeCatalog(d: ResolvedDefinition): string {
  return [
    `definition  ${d.id}  "${d.name}" (type ${d.workflowType}${d.isDefault ? ', default' : ''}; from ${d.source ?? 'catalog'})`,
    '',
    table(
      ['NODE', 'TYPE', 'ROLE', 'MAX ATTEMPTS', 'TIMEOUT MIN'],
      d.nodes.map((n) => [n.key, n.type, n.role, n.maxAttempts, n.timeoutMs / 60_000]),
    ),
    '',
    table(
      ['FROM', 'TO', 'CONDITION', 'PRIORITY'],
      d.edges.map((e) => [e.from || '(start)', e.to || '(end)', e.condition, e.priority]),
    ),
  ].join('\n');
}

function describeLedger(r: LedgerDefinitionDetail): string {
  const w: LedgerDefinitionRow = r.definition;
  return [
    `definition  ${w.id}  "${w.name}" (type ${w.workflow_type}; from the ledger, ${w.executions} run(s))`,
    '',
    table(
      ['NODE', 'TYPE', 'ROLE', 'MAX ATTEMPTS', 'TIMEOUT MIN'],
      r.nodes.map((n) => [n.node_key, n.node_type, n.role_required, n.max_attempts, Number(n.timeout_minutes)]),
    ),
    '',
    table(
      ['FROM', 'TO', 'CONDITION', 'PRIORITY'],
      r.edges.map((e) => [e.from_node_key || '(start)', e.to_node_key || '(end)', e.condition, e.priority]),
    ),
  ].join('\n');
}
