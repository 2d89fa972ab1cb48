/**
 * The whole start input of a bead run, checked before anything reads it. Input comes from our
 * client, but also from `temporal workflow start --input ...` by hand: `null`, a bead without an
 * id or a definition with a null node must fail the run with a named error, never throw inside a
 * workflow task (which Temporal retries forever). Pure; returns problems, never throws.
 */
import { LIMITS } from '../shared/limits';
import { bounded } from './intake';
import { BEAD_STATUSES } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return v === undefined ? 'nothing' : `a ${typeof v}`;
}

function stringProblem(where: string, v: unknown, max: number, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') return `${where} must be a string (got ${kindOf(v)})`;
  if (required && !v.trim()) return `${where} must not be empty`;
  if (v.length > max) return `${where} is ${v.length} characters; the limit is ${max}`;
  return undefined;
}

function beadProblems(bead: unknown): string[] {
  if (!isObj(bead)) return [`"bead" must be an object with id, title and type (got ${kindOf(bead)})`];
  const problems = [
    stringProblem('bead.id', bead.id, LIMITS.keyChars, true),
    stringProblem('bead.title', bead.title, LIMITS.titleChars, true),
    stringProblem('bead.type', bead.type, LIMITS.keyChars, true),
    stringProblem('bead.description', bead.description, LIMITS.descriptionChars, false),
  ];
  if (bead.labels !== undefined) {
    if (!Array.isArray(bead.labels) || bead.labels.some((l) => typeof l !== 'string' || l.length > LIMITS.labelChars)) {
      problems.push(`bead.labels must be a list of strings of at most ${LIMITS.labelChars} characters`);
    } else if (bead.labels.length > LIMITS.labels)
      problems.push(`bead.labels has ${bead.labels.length} labels; the limit is ${LIMITS.labels}`);
  }
  return problems.filter((p): p is string => p !== undefined);
}

function definitionShapeProblems(def: unknown): string[] {
  if (!isObj(def)) return [`"definition" must be a resolved definition object (got ${kindOf(def)})`];
  const problems: string[] = [];
  const id = stringProblem('definition.id', def.id, LIMITS.keyChars, true);
  if (id) problems.push(id);
  if (!Array.isArray(def.nodes) || def.nodes.length === 0) problems.push('definition.nodes must be a non-empty list');
  else
    def.nodes.forEach((n, i) => {
      if (!isObj(n)) problems.push(`definition.nodes[${i}] must be an object (got ${kindOf(n)})`);
      else if (typeof n.key !== 'string' || typeof n.type !== 'string')
        problems.push(`definition.nodes[${i}] needs string "key" and "type"`);
    });
  if (!Array.isArray(def.edges)) problems.push('definition.edges must be a list');
  else
    def.edges.forEach((e, i) => {
      if (!isObj(e)) problems.push(`definition.edges[${i}] must be an object (got ${kindOf(e)})`);
      else if (typeof e.from !== 'string' || typeof e.to !== 'string' || typeof e.condition !== 'string') {
        problems.push(`definition.edges[${i}] needs string "from", "to" and "condition"`);
      }
    });
  return problems;
}

function resumeProblems(resume: unknown, beadId: unknown): string[] {
  if (resume === undefined) return [];
  if (!isObj(resume)) return [`"resume" must be the interpreter state a previous run handed over (got ${kindOf(resume)})`];
  const problems: string[] = [];
  if (resume.beadId !== beadId) problems.push('resume.beadId does not match bead.id');
  if (!(BEAD_STATUSES as readonly unknown[]).includes(resume.status))
    problems.push(`resume.status must be one of ${BEAD_STATUSES.join(', ')}`);
  if (!Array.isArray(resume.cursors) || resume.cursors.some((c) => !isObj(c) || typeof c.id !== 'string' || typeof c.node !== 'string')) {
    problems.push('resume.cursors must be a list of {id, node, ...}');
  }
  if (!Array.isArray(resume.history)) problems.push('resume.history must be a list');
  for (const key of ['cycleCount', 'dispatchCount', 'historyTotal']) {
    if (typeof resume[key] !== 'number') problems.push(`resume.${key} must be a number`);
  }
  return problems;
}

/** Everything wrong with a start input, each problem shown short and printable; [] = good to run. */
export function startInputProblems(input: unknown): string[] {
  if (!isObj(input)) {
    return [
      `the start input must be an object {bead, definition, options?} (got ${kindOf(input)}); start beads with \`beadflow bead start\``,
    ];
  }
  const problems = [...beadProblems(input.bead), ...definitionShapeProblems(input.definition)];
  if (input.options !== undefined && !isObj(input.options)) problems.push(`"options" must be an object (got ${kindOf(input.options)})`);
  problems.push(...resumeProblems(input.resume, isObj(input.bead) ? input.bead.id : undefined));
  return problems.map((p) => bounded(p, 300));
}
