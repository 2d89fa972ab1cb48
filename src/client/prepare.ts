/**
 * Turns what a user typed into a bead's workflow input: picks and validates the definition,
 * reads the scenario, checks the repository. Every problem is a BeadflowError with a hint.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BeadflowError } from '../shared/errors';
import { LIMITS } from '../shared/limits';
import { escapeControls } from '../interpreter/intake';
import {
  defaultDefinitionDirs,
  formatFinding,
  hasErrors,
  loadCatalog,
  loadDefinitionFile,
  pinSubworkflows,
  selectDefinition,
  subworkflowFindings,
} from '../dsl';
import type { ResolvedDefinition } from '../dsl/types';
import type { Bead, BeadInput, Priority, RunOptions, Scenario } from '../shared/bead';
import { PRIORITIES } from '../shared/bead';
import { loadScenarioFile } from '../shared/scenario';
import { newBeadId } from '../shared/ids';

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
  /** A tie between definitions (select.ts): the user should hear of it. */
  warnings?: string[];
}

export function prepareBead(req: BeadRequest, env: NodeJS.ProcessEnv = process.env): PreparedBead {
  if (!req.title || !req.title.trim())
    throw new BeadflowError('a bead needs a title', { hint: 'pass --title "what is wrong or wanted"', kind: 'usage' });
  checkText(req);
  const priority = (req.priority ?? 'P2').toUpperCase();
  if (!(PRIORITIES as readonly string[]).includes(priority)) {
    throw new BeadflowError(`unknown priority "${req.priority}"`, { hint: `use one of ${PRIORITIES.join(', ')}`, kind: 'usage' });
  }
  const chosen = resolveDefinition(req, env);
  const { selectedBy, warning } = chosen;
  const definition = withSubworkflows(chosen.definition, req, env);
  const scenario = req.scenario ?? (req.scenarioFile ? readScenario(req.scenarioFile) : undefined);
  const repo = resolveRepo(req.repo ?? env.BEADFLOW_REPO);
  const bead: Bead = {
    id: req.beadId ?? newBeadId(),
    title: escapeControls(req.title.trim()),
    type: req.type ?? definition.workflowType,
    description: req.description ?? '',
    priority: priority as Priority,
    labels: req.labels ?? [],
    repo,
    scenario,
  };
  return { input: { bead, definition, options: req.options }, selectedBy, ...(warning ? { warnings: [warning] } : {}) };
}

const usage = (message: string, hint: string) => new BeadflowError(message, { hint, kind: 'usage' });

/** Empty or oversized inputs are usage errors here, before anything starts. */
function checkText(req: BeadRequest): void {
  if (req.title.length > LIMITS.titleChars)
    throw usage(`the title is ${req.title.length} characters; the limit is ${LIMITS.titleChars}`, 'put the details in --description');
  if (req.description && req.description.length > LIMITS.descriptionChars) {
    throw usage(
      `the description is ${req.description.length} characters; the limit is ${LIMITS.descriptionChars}`,
      'link to a document instead of pasting it',
    );
  }
  if (req.definition !== undefined && !req.definition.trim())
    throw usage('--definition is empty', 'pass a definition file or id, or leave --definition out to choose by type');
  if (req.type !== undefined && !req.type.trim())
    throw usage('--type is empty', 'pass a type such as bug, feature or ui, or leave --type out');
  if (req.beadId !== undefined) {
    if (!req.beadId.trim()) throw usage('--id is empty', 'leave --id out for a generated id, or pass one such as bug-42');
    if (req.beadId.length > LIMITS.keyChars || !/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(req.beadId)) {
      throw usage(
        `bead id "${escapeControls(req.beadId.slice(0, 60))}" is not usable`,
        `ids are letters, digits and . _ : - (at most ${LIMITS.keyChars} characters), starting with a letter or digit`,
      );
    }
  }
  const labels = req.labels ?? [];
  if (labels.length > LIMITS.labels)
    throw usage(`${labels.length} labels; the limit is ${LIMITS.labels}`, 'keep the labels that pick the definition');
  const bad = labels.find((l) => !l.trim() || l.length > LIMITS.labelChars);
  if (bad !== undefined)
    throw usage(
      `label "${escapeControls(bad.slice(0, 60))}" is empty or over ${LIMITS.labelChars} characters`,
      'labels are short words such as ui or backend',
    );
}

/** Child definitions of subworkflow nodes, checked and pinned into the definition now: the run never reads files. */
function withSubworkflows(def: ResolvedDefinition, req: BeadRequest, env: NodeJS.ProcessEnv): ResolvedDefinition {
  if (!def.nodes.some((n) => n.type === 'subworkflow')) return def;
  const catalog = loadCatalog(defaultDefinitionDirs(req.definitionsDir, env));
  const lookup = (id: string) => (id === def.id ? def : catalog.definitions.get(id));
  const problems = subworkflowFindings(def, lookup);
  if (problems.length > 0) throw invalid(def.source ?? def.id, problems.map(formatFinding));
  return pinSubworkflows(def, lookup);
}

function resolveDefinition(
  req: BeadRequest,
  env: NodeJS.ProcessEnv,
): { definition: ResolvedDefinition; selectedBy: string; warning?: string } {
  const ref = req.definition;
  if (ref && (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml') || existsSync(ref))) {
    if (!existsSync(ref))
      throw new BeadflowError(`definition file ${ref} does not exist`, {
        hint: 'pass a YAML file, or the id of a definition in definitions/',
        kind: 'usage',
      });
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
    if (!selection)
      throw new BeadflowError(`no definition with id or type "${ref}"`, { hint: `known definitions: ${known}`, kind: 'usage' });
    return { definition: selection.definition, selectedBy: `definition ${selection.definition.id}` };
  }
  const selection = selectDefinition(catalog, { type: req.type, labels: req.labels, title: req.title });
  if (!selection) {
    throw new BeadflowError(req.type ? `no definition for type "${req.type}"` : 'no definition matches this bead', {
      hint: `pass --definition FILE|ID (known: ${known})`,
      kind: 'usage',
    });
  }
  return { definition: selection.definition, selectedBy: `${selection.definition.id} (${selection.reason})`, warning: selection.warning };
}

function invalid(file: string, lines: string[]): BeadflowError {
  return new BeadflowError(`definition ${file} has errors:\n${lines.join('\n')}`, {
    hint: `fix them, then check with \`npx beadflow validate ${file}\``,
  });
}

function readScenario(file: string): Scenario {
  try {
    return loadScenarioFile(file);
  } catch (err) {
    throw new BeadflowError((err as Error).message, { hint: 'a scenario is a YAML map: node_key: [success, failure, ...]', kind: 'usage' });
  }
}

/** A local repository path becomes absolute (the worker may run elsewhere); URLs pass through. */
function resolveRepo(repo: string | undefined): string | undefined {
  if (!repo) return undefined;
  if (/^[a-z+]+:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo)) return repo;
  const abs = path.resolve(repo);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new BeadflowError(`repository ${repo} does not exist`, {
      hint: 'pass --repo with the path of a git repository (or a clone URL)',
      kind: 'usage',
    });
  }
  return abs;
}
