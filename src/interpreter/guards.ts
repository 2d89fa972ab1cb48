/**
 * Evaluates a node's guard (`when:` / the step format's `condition:`) when a cursor enters it.
 * Pure: reads the state's history, the bead and the guard's variables; the expression is data
 * walked by dsl/expression.ts, never eval or Function.
 */
import { conditionHolds } from '../dsl/expression';
import type { Guard } from '../dsl/guard';
import type { Bead } from '../shared/bead';
import type { InterpreterState } from './types';

/** The history note a skipped node leaves; also what `<node>.status` reads afterwards. */
export const SKIPPED = 'skipped';

/**
 * Each node's last result in the history window: a turn's or decision's outcome, a timeout, or
 * `skipped`. A node that has not run (or whose entries left the window) reads as absent.
 */
export function lastResults(state: InterpreterState): Record<string, string> {
  const results: Record<string, string> = {};
  for (const h of state.history) {
    if (!h.node || h.outcome === undefined) continue;
    if (h.kind === 'turn' || h.kind === 'decision' || h.kind === 'timeout' || (h.kind === 'note' && h.outcome === SKIPPED)) {
      results[h.node] = h.outcome;
    }
  }
  return results;
}

export function guardHolds(guard: Guard, state: InterpreterState, bead: Bead): boolean {
  if (!guard.expr) return true;
  const nodes = lastResults(state);
  // The step format's context.state: the file's variables, and each node's result as <key> and <key>_status.
  const contextState: Record<string, unknown> = { ...guard.variables };
  for (const [key, outcome] of Object.entries(nodes)) {
    contextState[key] = outcome;
    contextState[`${key}_status`] = outcome;
  }
  const task = { id: bead.id, title: bead.title, type: bead.type, priority: bead.priority, labels: bead.labels.join(',') };
  return conditionHolds(guard.expr, { state: contextState, task, variables: guard.variables, nodes });
}
