/**
 * Turns what a user typed into a bead's workflow input: picks and validates the definition,
 * reads the scenario, checks the repository. Every problem is a CliError with a hint.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli/errors';
import { defaultDefinitionDirs, formatFinding, hasErrors, loadCatalog, loadDefinitionFile, selectDefinition } from '../dsl';
import type { ResolvedDefinition } from '../dsl/types';
import type { Bead, BeadInput, Priority, RunOptions, Scenario } from '../shared/bead';
import { PRIORITIES } from '../shared/bead';
import { loadScenarioFile } from '../shared/scenario';
import { newBeadId } from './ids';

export interface BeadRequest {
  title: string;
  type?: string;
  description?: string;
  priority?: string;
  labels?: string[];
  /** A definition file, or the id / workflow_type of a catalog definition. */
  definition?: string;
  /** Extra definitions directory (user definitions override defaults of the same id). */
  definitionsDir?: string;
  scenarioFile?: string;
  scenario?: Scenario;
  repo?: string;
  beadId?: string;
  options?: RunOptions;
}

export interface PreparedBead {
  input: BeadInput;
  /** How the definition was chosen, for the user. */
  selectedBy: string;
}

export function prepareBead(req: BeadRequest, env: NodeJS.ProcessEnv = process.env): PreparedBead {
  if (!req.title || !req.title.trim()) throw new CliError('a bead needs a title', { hint: 'pass --title "what is wrong or wanted"', exitCode: 2 });
  const priority = (req.priority ?? 'P2').toUpperCase();
  if (!(PRIORITIES as readonly string[]).includes(priority)) {
    throw new CliError(`unknown priority "${req.priority}"`, { hint: `use one of ${PRIORITIES.join(', ')}`, exitCode: 2 });
  }
  const { definition, selectedBy } = resolveDefinition(req, env);
  const scenario = req.scenario ?? (req.scenarioFile ? readScenario(req.scenarioFile) : undefined);
  const repo = resolveRepo(req.repo ?? env.BEADFLOW_REPO);
  const bead: Bead = {
    id: req.beadId ?? newBeadId(),
    title: req.title.trim(),
    type: req.type ?? definition.workflowType,
    description: req.description ?? '',
    priority: priority as Priority,
    labels: req.labels ?? [],
    repo,
    scenario,
  };
  return { input: { bead, definition, options: req.options }, selectedBy };
}

function resolveDefinition(req: BeadRequest, env: NodeJS.ProcessEnv): { definition: ResolvedDefinition; selectedBy: string } {
  const ref = req.definition;
  if (ref && (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml') || existsSync(ref))) {
    if (!existsSync(ref)) throw new CliError(`definition file ${ref} does not exist`, { hint: 'pass a YAML file, or the id of a definition in definitions/', exitCode: 2 });
    const { definition, findings } = loadDefinitionFile(ref);
    if (!definition || hasErrors(findings)) throw invalid(ref, findings.map(formatFinding));
    return { definition, selectedBy: `file ${ref}` };
  }
  const catalog = loadCatalog(defaultDefinitionDirs(req.definitionsDir, env));
  const broken = catalog.findings.filter((f) => f.severity === 'error');
  if (broken.length > 0) process.stderr.write(`${broken.map(formatFinding).join('\n')}\n(definitions with errors were skipped)\n`);
  const known = [...catalog.definitions.values()].map((d) => d.id).join(', ');
  if (ref) {
    const selection = selectDefinition(catalog, { type: ref });
    if (!selection) throw new CliError(`no definition with id or type "${ref}"`, { hint: `known definitions: ${known}`, exitCode: 2 });
    return { definition: selection.definition, selectedBy: `definition ${selection.definition.id}` };
  }
  const selection = selectDefinition(catalog, { type: req.type, labels: req.labels, title: req.title });
  if (!selection) {
    throw new CliError(req.type ? `no definition for type "${req.type}"` : 'no definition matches this bead', { hint: `pass --definition FILE|ID (known: ${known})`, exitCode: 2 });
  }
  return { definition: selection.definition, selectedBy: `${selection.definition.id} (${selection.reason})` };
}

function invalid(file: string, lines: string[]): CliError {
  return new CliError(`definition ${file} has errors:\n${lines.join('\n')}`, { hint: `fix them, then check with \`npx beadflow validate ${file}\``, exitCode: 1 });
}

function readScenario(file: string): Scenario {
  try {
    return loadScenarioFile(file);
  } catch (err) {
    throw new CliError((err as Error).message, { hint: 'a scenario is a YAML map: node_key: [success, failure, ...]', exitCode: 2 });
  }
}

/** A local repository path becomes absolute (the worker may run elsewhere); URLs pass through. */
function resolveRepo(repo: string | undefined): string | undefined {
  if (!repo) return undefined;
  if (/^[a-z+]+:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo)) return repo;
  const abs = path.resolve(repo);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new CliError(`repository ${repo} does not exist`, { hint: 'pass --repo with the path of a git repository (or a clone URL)', exitCode: 2 });
  }
  return abs;
}
