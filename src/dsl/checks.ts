/**
 * Checks on a resolved definition: nodes, edges, and (in graph-checks / fork-checks) the shape
 * of the graph. Pure TS, no node/yaml/zod imports: the bead workflow runs `validateResolved`
 * on its input at entry, so a hand-built or stale definition fails fast instead of mid-run.
 * The loader runs the same function with a locator, so findings get line:col.
 */
import { isKnownRole, KNOWN_ROLES, sameRole } from '../shared/roles';
import { createContext, type CheckContext } from './check-context';
import { COMMIT_ROLE, CONTROL_NODE_TYPES } from './conventions';
import type { Finding, Locator } from './finding';
import { checkForks } from './fork-checks';
import { checkGraph } from './graph-checks';
import { unknownNames } from './guard';
import { CONDITIONS, NODE_TYPES, type ResolvedDefinition } from './types';

export function validateResolved(def: ResolvedDefinition, locate?: Locator): Finding[] {
  if (!def || typeof def !== 'object' || !Array.isArray(def.nodes) || !Array.isArray(def.edges)) {
    const file = (def && typeof def === 'object' && def.source) || '<definition>';
    return [
      {
        file,
        line: 0,
        col: 0,
        severity: 'error',
        code: 'not-a-definition',
        message: 'the input is not a resolved definition (no nodes and edges lists)',
        hint: 'pass the `definition` returned by loadDefinitionText/loadDefinitionFile',
      },
    ];
  }
  const ctx = createContext(def, locate);
  checkSettings(ctx);
  checkNodes(ctx);
  checkEdges(ctx);
  checkGraph(ctx);
  checkForks(ctx);
  checkGuards(ctx);
  return ctx.findings;
}

/** A `when:` that does not parse, or names an unknown step or variable, refuses the definition. */
function checkGuards(ctx: CheckContext): void {
  for (const node of ctx.nodes.values()) {
    const guard = node.guard;
    if (!guard) continue;
    const at = ctx.nodePath(node.key, 'when');
    if (guard.error)
      ctx.report('error', 'node-when', at, `node "${node.key}": when: ${guard.error}`, 'see the guard language in definitions/README.md');
    for (const u of unknownNames(guard, ctx.nodes.keys()))
      ctx.report('error', 'node-when', at, `node "${node.key}": when: ${u.message}`, u.hint);
  }
}

function checkNodes(ctx: CheckContext): void {
  const firstIndex = new Map<string, number>();
  ctx.def.nodes.forEach((node, i) => {
    const at = (field: string) => ['nodes', i, field];
    const first = firstIndex.get(node.key);
    if (first !== undefined) {
      ctx.report(
        'error',
        'duplicate-node-key',
        at('node_key'),
        `duplicate node key "${node.key}" (node #${first + 1} has it too)`,
        'node keys must be unique: rename one and update the edges that refer to it',
      );
      return;
    }
    firstIndex.set(node.key, i);
    if (!NODE_TYPES.includes(node.type)) {
      ctx.report(
        'error',
        'unknown-node-type',
        at('node_type'),
        node.type === undefined || (node.type as unknown) === null
          ? `node "${node.key}" has no node_type`
          : `node "${node.key}": unknown node type "${node.type}"`,
        `use one of: ${NODE_TYPES.join(', ')}`,
      );
    }
    if (node.type === 'subworkflow' && !node.subworkflow?.definition) {
      ctx.report(
        'error',
        'missing-subworkflow',
        at('node_key'),
        `subworkflow node "${node.key}" names no definition`,
        'add `subworkflow: { definition: <id> }`: the id of the definition the child bead runs',
      );
    }
    if (CONTROL_NODE_TYPES.includes(node.type)) return;
    const needsRole = node.type === 'task' || (node.type === 'verify' && !node.verify);
    if (needsRole && !node.role) {
      ctx.report(
        'error',
        'missing-role',
        at('node_key'),
        `${node.type} node "${node.key}" has no role_required`,
        'add `role_required: <role>` (e.g. QA Engineer): agent turns go to the workers of that role',
      );
    } else if (node.role && !isKnownRole(node.role)) {
      ctx.report(
        'warning',
        'unknown-role',
        at('role_required'),
        `node "${node.key}": "${node.role}" is not a known role`,
        `known roles: ${KNOWN_ROLES.join(', ')}; a custom role needs a worker started with --roles "${node.role}"`,
      );
    }
    const integration = node.type === 'commit' ? node.onConflict?.role : undefined;
    if (typeof integration === 'string' && integration.trim() && !isKnownRole(integration)) {
      ctx.report(
        'warning',
        'unknown-role',
        at('integration_role'),
        `node "${node.key}": integration_role "${integration}" is not a known role`,
        `known roles: ${KNOWN_ROLES.join(', ')}; conflict resolutions need a worker started with --roles "${integration}"`,
      );
    }
    if (node.type === 'commit' && !sameRole(node.role ?? '', COMMIT_ROLE)) {
      ctx.report(
        'warning',
        'commit-role',
        at('role_required'),
        `commit node "${node.key}" has role "${node.role}"`,
        `commits always run as ${COMMIT_ROLE}`,
      );
    }
  });
}

function checkEdges(ctx: CheckContext): void {
  const { def, nodes } = ctx;
  const keys = [...nodes.keys()];
  const known = keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, …` : keys.join(', ');
  def.edges.forEach((edge, i) => {
    if (!CONDITIONS.includes(edge.condition)) {
      ctx.report(
        'error',
        'unknown-condition',
        ['edges', i, 'condition'],
        `edge #${i + 1}: unknown condition "${edge.condition}"`,
        `use one of: ${CONDITIONS.join(', ')}`,
      );
    }
    for (const [key, field, blank] of [
      [edge.from, 'from_node_key', 'start'],
      [edge.to, 'to_node_key', 'end'],
    ] as const) {
      if (key !== '' && !nodes.has(key)) {
        ctx.report(
          'error',
          'unknown-node',
          ['edges', i, field],
          `edge #${i + 1}: ${field} "${key}" is not a node of this definition`,
          `use one of: ${known} (or "" for the ${blank})`,
        );
      }
    }
  });

  const starts = def.edges.map((e, index) => ({ ...e, index })).filter((e) => e.from === '');
  if (starts.length === 0) {
    ctx.report(
      'error',
      'no-start',
      ['edges'],
      'no start edge: nothing says which node runs first',
      'add an edge with `from_node_key: ""` and `to_node_key:` the first node',
    );
  }
  for (const extra of starts.slice(1)) {
    ctx.report(
      'error',
      'multiple-starts',
      ctx.edgePath(extra.index, 'from_node_key'),
      `${ctx.edgeName(extra)} is a second start edge (the first is ${ctx.edgeName(starts[0])})`,
      'keep one start edge; to run nodes side by side, start at a parallel node',
    );
  }
  for (const start of starts.filter((e) => e.condition !== 'success')) {
    ctx.report(
      'warning',
      'start-condition',
      ctx.edgePath(start.index, 'condition'),
      `the start edge's condition "${start.condition}" is ignored: the start edge is always taken`,
      'write `condition: success` (or leave it out)',
    );
  }

  // Among edges that match an outcome the highest priority wins; a tie has no winner.
  const seen = new Map<string, (typeof ctx.edges)[number]>();
  for (const edge of ctx.edges) {
    if (edge.from === '') continue;
    const fork = nodes.get(edge.from)?.type === 'parallel' && edge.condition === 'success';
    const group = [edge.from, edge.condition, fork ? edge.to : edge.priority].join('\u0000');
    const first = seen.get(group);
    if (!first) {
      seen.set(group, edge);
    } else if (first.to === edge.to) {
      ctx.report(
        'warning',
        'duplicate-edge',
        ctx.edgePath(edge.index, 'from_node_key'),
        `${ctx.edgeName(edge)} repeats ${ctx.edgeName(first)}`,
        'remove one of the two',
      );
    } else {
      ctx.report(
        'error',
        'ambiguous-route',
        ctx.edgePath(edge.index, 'priority'),
        `${ctx.edgeName(edge)} and ${ctx.edgeName(first)} leave "${edge.from}" on ${edge.condition} with the same priority ${edge.priority}`,
        'give one of them a higher priority: among matching edges the highest wins',
      );
    }
  }
}

/** Defensive range checks: the schema enforces these for YAML, not for hand-built input. */
function checkSettings(ctx: CheckContext): void {
  const bad = (path: Array<string | number>, what: string, value: unknown) =>
    ctx.report(
      'error',
      'invalid-setting',
      path,
      `${what} is ${String(value)}`,
      'use a finite, non-negative value (see definitions/README.md)',
    );
  const count = (v: number, min: number) => Number.isInteger(v) && v >= min;
  const time = (v: number) => Number.isFinite(v) && v >= 0;
  if (!count(ctx.def.maxHops, 1)) bad(['max_hops'], 'max_hops', ctx.def.maxHops);
  ctx.def.nodes.forEach((n, i) => {
    const at = (field: string) => ['nodes', i, field];
    const name = `node "${n.key}":`;
    if (!count(n.maxAttempts, 0)) bad(at('max_attempts'), `${name} max_attempts`, n.maxAttempts);
    if (!count(n.maxCycles, 1)) bad(at('max_cycles'), `${name} max_cycles`, n.maxCycles);
    if (!count(n.maxDispatches, 1)) bad(at('max_dispatches'), `${name} max_dispatches`, n.maxDispatches);
    if (!time(n.timeoutMs)) bad(at('timeout'), `${name} the timeout`, n.timeoutMs);
    const retry = n.retry;
    if (!retry || !time(retry.initialMs) || !time(retry.maxMs) || !(retry.coefficient >= 1 && Number.isFinite(retry.coefficient))) {
      bad(at('retry'), `${name} the retry policy`, JSON.stringify(retry));
    }
    if (n.type === 'commit' && n.leaseMs !== undefined && !(time(n.leaseMs) && n.leaseMs > 0))
      bad(at('lease'), `${name} the lock lease`, n.leaseMs);
    if (n.type === 'commit' && n.onConflict !== undefined) {
      const oc = n.onConflict as Partial<NonNullable<typeof n.onConflict>> | null;
      if (!oc || typeof oc.role !== 'string' || !oc.role.trim())
        bad(at('integration_role'), `${name} integration_role`, JSON.stringify(oc?.role));
      if (!count(oc?.maxResolutions as number, 1)) bad(at('max_resolutions'), `${name} max_resolutions`, oc?.maxResolutions);
    }
  });
}
