/**
 * Status and dashboard steps. The step format uses them to report progress to its dashboard;
 * here the ledger already records every node a bead enters and leaves (`beadflow status`,
 * `beadflow runs`), so such a step becomes no node at all: the steps that depend on it depend on
 * its dependencies instead, and a located warning says so.
 */
import type { StepIssue, YamlPath } from './issues';

export const LEDGER_STEP_TYPES = ['status-update', 'dashboard-update'] as const;

export const isLedgerStep = (type: unknown): boolean => (LEDGER_STEP_TYPES as readonly unknown[]).includes(type);

export function ledgerStepWarning(id: string, type: string, path: YamlPath): StepIssue {
  return {
    severity: 'warning',
    code: 'step-no-op',
    path: [...path, 'type'],
    message: `step "${id}" (${type}) becomes no node: the ledger records every node's status already`,
    hint: 'steps that depend on it depend on its dependencies; `beadflow status <bead>` shows progress',
  };
}

/**
 * Replaces every dependency on a dropped step by that step's own dependencies (transitively).
 * A cycle through dropped steps is reported once and its dependencies left out.
 */
export function skipDropped(
  deps: Map<string, string[]>,
  dropped: Map<string, { deps: string[]; at: YamlPath }>,
): { deps: Map<string, string[]>; issues: StepIssue[] } {
  const issues: StepIssue[] = [];
  const memo = new Map<string, string[]>();
  const busy = new Set<string>();
  const expand = (id: string): string[] => {
    const known = memo.get(id);
    if (known) return known;
    if (busy.has(id)) {
      if (issues.length === 0)
        issues.push({
          severity: 'error',
          code: 'dependency-cycle',
          path: dropped.get(id)!.at,
          message: `step dependencies form a cycle through "${id}"`,
          hint: 'dependencies must form a DAG: remove one dependency of the cycle',
        });
      return [];
    }
    busy.add(id);
    const out = dropped.get(id)!.deps.flatMap((d) => (dropped.has(d) ? expand(d) : [d]));
    busy.delete(id);
    memo.set(id, out);
    return out;
  };
  const result = new Map<string, string[]>();
  for (const [id, list] of deps) result.set(id, [...new Set(list.flatMap((d) => (dropped.has(d) ? expand(d) : [d])))]);
  return { deps: result, issues };
}
