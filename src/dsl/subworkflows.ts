/**
 * Subworkflow nodes across definitions: which child definitions a definition needs (all levels),
 * whether they exist, form no cycle and stay within the depth limit, and pinning them into the
 * root's resolved definition so a running bead never reads files. Pure TS.
 */
import type { Finding, Position } from './finding';
import type { ResolvedDefinition } from './types';

/** Levels of nested child beads a root may start (the root's children are level 1). */
export const MAX_SUBWORKFLOW_DEPTH = 5;

type Lookup = (id: string) => ResolvedDefinition | undefined;
/** Where node `index` of `def` names its child, when the definition's source is at hand. */
export type SubworkflowLocator = (def: ResolvedDefinition, index: number) => Position | undefined;

function childRefs(def: ResolvedDefinition): Array<{ node: string; index: number; id: string }> {
  return def.nodes.flatMap((n, index) =>
    n.type === 'subworkflow' && n.subworkflow?.definition ? [{ node: n.key, index, id: n.subworkflow.definition }] : [],
  );
}

function finding(def: ResolvedDefinition, at: Position | undefined, code: string, message: string, hint: string): Finding {
  return { file: def.source ?? def.id, line: at?.line ?? 0, col: at?.col ?? 0, severity: 'error', code, message, hint };
}

/**
 * Missing child definitions, cycles and depth, walking from `root`. Each finding names the node and
 * the chain of definitions that leads to it.
 */
export function subworkflowFindings(root: ResolvedDefinition, lookup: Lookup, locate?: SubworkflowLocator): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const walk = (def: ResolvedDefinition, chain: string[]): void => {
    for (const ref of childRefs(def)) {
      const at = `${[...chain, def.id].join(' → ')}, node "${ref.node}"`;
      const pos = locate?.(def, ref.index);
      if (ref.id === def.id || chain.includes(ref.id)) {
        findings.push(
          finding(
            def,
            pos,
            'subworkflow-cycle',
            `${at}: definition "${ref.id}" includes itself`,
            'a child definition must not run its ancestors: break the cycle',
          ),
        );
        continue;
      }
      const child = lookup(ref.id);
      if (!child) {
        findings.push(
          finding(
            def,
            pos,
            'missing-subworkflow',
            `${at}: no definition with id "${ref.id}"`,
            'add the definition to definitions/ (or the --definitions directory), or fix the id',
          ),
        );
        continue;
      }
      // chain + def are the levels above this child: the root is level 0.
      if (chain.length + 1 > MAX_SUBWORKFLOW_DEPTH) {
        findings.push(
          finding(
            def,
            pos,
            'subworkflow-depth',
            `${at}: sub-workflows nest deeper than ${MAX_SUBWORKFLOW_DEPTH} levels`,
            'flatten the definitions',
          ),
        );
        continue;
      }
      const key = `${[...chain, def.id].join('/')}>${ref.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      walk(child, [...chain, def.id]);
    }
  };
  walk(root, []);
  return findings;
}

/** The root with every child definition it needs (all levels) pinned in `subworkflows`. Call after `subworkflowFindings` is clean. */
export function pinSubworkflows(root: ResolvedDefinition, lookup: Lookup): ResolvedDefinition {
  const pinned: Record<string, ResolvedDefinition> = {};
  const queue = [root];
  while (queue.length > 0) {
    for (const ref of childRefs(queue.shift()!)) {
      if (pinned[ref.id] || ref.id === root.id) continue;
      const child = lookup(ref.id);
      if (!child) throw new Error(`no definition with id "${ref.id}" (node "${ref.node}")`);
      const { subworkflows: _drop, ...plain } = child;
      pinned[ref.id] = plain;
      queue.push(plain);
    }
  }
  return Object.keys(pinned).length > 0 ? { ...root, subworkflows: pinned } : root;
}
