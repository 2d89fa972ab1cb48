/**
 * Step format → the native raw shape (nodes + edges), which then goes through the normal schema,
 * resolve and checks. Every node and edge remembers the YAML path of the step it came from, so
 * findings about the converted graph point into the step file. The mapping, key by key, is in
 * definitions/README.md ("The step format").
 */
import { canonicalRole } from '../../shared/roles';
import type { RawEdge, RawNode } from '../schema';
import { KNOWN_STEP_TYPES } from '../step-format';
import { MAX_STEPS, STEP_KEYS, TOP_KEYS } from './issues';
import { applySettings } from './settings';
import { isLedgerStep, ledgerStepWarning, skipDropped } from './status';
import type { StepIssue, YamlPath } from './issues';
import { substitute, type Variables } from './variables';
import { wire, type StepVertex } from './wire';

const NODE_TYPE_OF: Record<string, RawNode['node_type']> = {
  'persona-request': 'task',
  'git-operation': 'commit',
  parallel: 'parallel',
  'sub-workflow': 'subworkflow',
  SubWorkflowStep: 'subworkflow',
};
const isSubWorkflow = (type: string) => NODE_TYPE_OF[type] === 'subworkflow';

export interface Converted {
  /** The native raw definition, not yet schema-checked. */
  raw: Record<string, unknown> & { nodes: RawNode[]; edges: RawEdge[] };
  /** YAML path of the step each node / edge came from, by index. */
  nodeAt: YamlPath[];
  edgeAt: YamlPath[];
  issues: StepIssue[];
}

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export function convertSteps(doc: Rec, fallbackId: string): Converted {
  const issues: StepIssue[] = [];
  const issue = (severity: StepIssue['severity'], code: string, path: YamlPath, message: string, hint: string) =>
    issues.push({ severity, code, path, message, hint });
  const variables: Variables = isRecord(doc.variables) ? doc.variables : {};
  if (doc.variables !== undefined && !isRecord(doc.variables))
    issue(
      'error',
      'step-variables',
      ['variables'],
      'variables: must be a mapping of names to values',
      'write `variables: { name: value }`',
    );

  const nodes: Array<{ node: RawNode; at: YamlPath }> = [];
  const edges: Array<{ edge: RawEdge; at: YamlPath }> = [];
  const seen = new Map<string, YamlPath>();

  /** A value with the variables substituted; unknown names are one warning each. */
  const sub = (value: unknown, path: YamlPath): unknown => {
    const { value: out, unknown } = substitute(value, variables);
    for (const name of new Set(unknown))
      issue(
        'warning',
        'unknown-variable',
        path,
        `"${name}" is not defined under variables:, so it stays as written`,
        'add it to variables: or fix the name',
      );
    return out;
  };

  /** One step → its node(s); returns where dependency edges enter and leave it. */
  const convert = (step: Rec, path: YamlPath, id: string, outer: string): { entry: string; exit: string } => {
    const type = step.type as string;
    const node: RawNode = { node_key: id, node_type: NODE_TYPE_OF[type]! };
    const metadata: Rec = { step_format: { id, type, ...(outer ? { within: outer } : {}) } };
    const name = typeof step.name === 'string' ? (sub(step.name, [...path, 'name']) as string) : id;
    const lines = [name];
    if (type === 'persona-request') {
      if (typeof step.persona === 'string' && step.persona.trim()) {
        node.role_required = canonicalRole(step.persona) ?? step.persona;
        node.persona_hint = step.persona;
      }
    }
    if (type === 'git-operation' && step.operation !== undefined) {
      const op = sub(step.operation, [...path, 'operation']);
      lines.push(`Git operation: ${String(op)}`);
      metadata.operation = op;
    }
    if (isSubWorkflow(type)) {
      const definition = subWorkflowOf(step, path, id);
      if (definition) {
        node.subworkflow = { definition };
        lines.push(`Sub-workflow: ${definition} (a child bead)`);
      }
    } else
      for (const key of ['workflow', 'config'] as const)
        if (step[key] !== undefined)
          issue('warning', 'ignored-key', [...path, key], `step "${id}": ${key}: is read only on sub-workflow steps`, 'remove it');
    if (step.params !== undefined) {
      const params = sub(step.params, [...path, 'params']);
      metadata.params = params;
      if (isRecord(params))
        for (const [k, v] of Object.entries(params)) lines.push(`- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
    if (type !== 'parallel') node.instructions = lines.join('\n');

    applySettings(step, node, metadata, { id, type, path, variables, sub, issue });
    node.metadata = metadata;
    nodes.push({ node, at: path });
    if (type !== 'parallel') return { entry: id, exit: id };

    const join = `${id}-done`;
    const subs = Array.isArray(step.steps) ? step.steps : [];
    if (subs.length === 0)
      issue('error', 'step-parallel', path, `parallel step "${id}" has no steps:`, 'list the steps that run in parallel under steps:');
    const wait = step.wait_for ?? 'all';
    if (wait !== 'all' && wait !== 'any' && wait !== 'first')
      issue(
        'error',
        'step-wait-for',
        [...path, 'wait_for'],
        `parallel step "${id}": wait_for ${JSON.stringify(wait)} is not all, any or first`,
        'write wait_for: all (or any)',
      );
    subs.forEach((inner: unknown, i) => {
      const at = [...path, 'steps', i];
      const child = checkStep(inner, at, id);
      if (!child) return;
      if (child.step.dependencies !== undefined || child.step.depends_on !== undefined)
        issue(
          'warning',
          'ignored-key',
          [...at, child.step.dependencies !== undefined ? 'dependencies' : 'depends_on'],
          `step "${child.id}" is inside parallel step "${id}": its dependencies are ignored`,
          'steps of a parallel step all start together',
        );
      const ends = convert(child.step, at, child.id, id);
      edges.push({ edge: { from_node_key: id, to_node_key: ends.entry }, at });
      edges.push({ edge: { from_node_key: ends.exit, to_node_key: join }, at });
    });
    nodes.push({ node: { node_key: join, node_type: 'merge', merge: { fork: id, wait: wait === 'all' ? 'all' : 'first' } }, at: path });
    return { entry: id, exit: join };
  };

  /**
   * The child definition's id: `workflow:`, or `config: { workflow: }` as the predecessor's
   * SubWorkflowStep wrote it. Its `inputs` / `outputs` mappings have no counterpart: the child gets
   * the parent's bead.
   */
  const subWorkflowOf = (step: Rec, path: YamlPath, id: string): string | undefined => {
    const config = isRecord(step.config) ? step.config : undefined;
    if (step.config !== undefined && !config)
      issue('error', 'step-workflow', [...path, 'config'], `step "${id}": config: must be a mapping`, 'write config: { workflow: <id> }');
    for (const key of Object.keys(config ?? {}))
      if (key !== 'workflow' || step.workflow !== undefined)
        issue(
          'warning',
          'ignored-key',
          [...path, 'config', key],
          `step "${id}": config.${key} is not read`,
          key === 'workflow'
            ? 'workflow: on the step wins; remove one'
            : 'the child bead gets the parent bead’s title, description and labels',
        );
    const at: YamlPath =
      step.workflow !== undefined ? [...path, 'workflow'] : config?.workflow !== undefined ? [...path, 'config', 'workflow'] : path;
    const value = sub(step.workflow ?? config?.workflow, at);
    if (typeof value === 'string' && value.trim()) return value.trim();
    issue(
      'error',
      'step-workflow',
      at,
      `sub-workflow step "${id}" names no workflow`,
      'write workflow: <definition id> (or config: { workflow: <id> }): the definition the child bead runs',
    );
    return undefined;
  };

  const checkStep = (step: unknown, path: YamlPath, outer: string): { step: Rec; id: string } | undefined => {
    if (!isRecord(step)) {
      issue(
        'error',
        'step-shape',
        path,
        `${outer ? `a step of "${outer}"` : 'a step'} is not a mapping`,
        'each step is a mapping with id:, type: and its settings',
      );
      return undefined;
    }
    if (typeof step.id !== 'string' || !step.id.trim()) {
      issue('error', 'step-id', path, 'a step has no id', 'give every step a unique `id:`; dependencies name it');
      return undefined;
    }
    const first = seen.get(step.id);
    if (first) {
      issue(
        'error',
        'duplicate-step-id',
        [...path, 'id'],
        `duplicate step id "${step.id}"`,
        'step ids must be unique, sub-steps of parallel steps included',
      );
      return undefined;
    }
    seen.set(step.id, path);
    if (seen.size > MAX_STEPS) {
      if (seen.size === MAX_STEPS + 1) issue('error', 'step-limit', path, `more than ${MAX_STEPS} steps`, 'split the workflow');
      return undefined;
    }
    for (const key of Object.keys(step))
      if (!STEP_KEYS.has(key))
        issue(
          'warning',
          'ignored-key',
          [...path, key],
          `step "${step.id}": key "${key}" is not read`,
          `step keys: ${[...STEP_KEYS].join(', ')}`,
        );
    if (!(KNOWN_STEP_TYPES as readonly string[]).includes(step.type as string)) return undefined; // reported by stepTypeFindings
    if (isLedgerStep(step.type)) {
      issues.push(ledgerStepWarning(step.id, step.type as string, path));
      if (outer) return undefined;
    }
    return { step, id: step.id };
  };

  const vertices: StepVertex[] = [];
  const dropped = new Map<string, { deps: string[]; at: YamlPath }>();
  for (const key of Object.keys(doc))
    if (!TOP_KEYS.has(key))
      issue(
        'warning',
        'ignored-key',
        [key],
        `key "${key}" is not read in a step-format file`,
        `top-level keys: ${[...TOP_KEYS].join(', ')}`,
      );
  const steps = Array.isArray(doc.steps) ? doc.steps : [];
  if (steps.length === 0) issue('error', 'step-empty', ['steps'], 'steps: is empty', 'list at least one step');
  steps.forEach((raw: unknown, i) => {
    const at = ['steps', i];
    const checked = checkStep(raw, at, '');
    if (!checked) return;
    const key = checked.step.dependencies !== undefined ? 'dependencies' : 'depends_on';
    const list = checked.step[key];
    const deps = list === undefined ? [] : typeof list === 'string' ? [list] : Array.isArray(list) ? list : undefined;
    if (!deps || deps.some((d) => typeof d !== 'string')) {
      issue(
        'error',
        'step-dependencies',
        [...at, key],
        `step "${checked.id}": ${key} must be a list of step ids`,
        `write ${key}: [other-step]`,
      );
      return;
    }
    if (isLedgerStep(checked.step.type)) {
      dropped.set(checked.id, { deps: deps as string[], at: list === undefined ? at : [...at, key] });
      return;
    }
    const ends = convert(checked.step, at, checked.id, '');
    vertices.push({ id: checked.id, deps: deps as string[], ...ends, at, depsAt: list === undefined ? at : [...at, key] });
  });
  const skipped = skipDropped(new Map(vertices.map((v) => [v.id, v.deps])), dropped);
  issues.push(...skipped.issues);
  for (const v of vertices) v.deps = skipped.deps.get(v.id)!;
  if (steps.length > 0 && vertices.length === 0 && !issues.some((x) => x.severity === 'error'))
    issue(
      'error',
      'step-empty',
      ['steps'],
      'no step runs anything (status steps become no node)',
      'add a persona-request or git-operation step',
    );
  if (!issues.some((x) => x.severity === 'error')) {
    const wiring = wire(vertices);
    issues.push(...wiring.issues);
    nodes.push(...wiring.nodes);
    edges.push(...wiring.edges);
  }

  const id = typeof doc.name === 'string' && doc.name.trim() ? doc.name : typeof doc.id === 'string' ? doc.id : fallbackId;
  const raw: Converted['raw'] = { id, nodes: nodes.map((n) => n.node), edges: edges.map((e) => e.edge) };
  if (typeof doc.name === 'string') raw.name = doc.name;
  if (typeof doc.description === 'string') raw.description = doc.description;
  return { raw, nodeAt: nodes.map((n) => n.at), edgeAt: edges.map((e) => e.at), issues };
}
