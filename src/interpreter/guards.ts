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

const PASS = new Set(['success', 'approved']);
const FAIL = new Set(['failure', 'rejected', 'timeout']);

/**
 * The step format's context.state, whose keys its steps wrote (`qa_status: pass`): `<key>` and
 * `<key>_result` are node <key>'s outcome; `<word>_status` is `pass` / `fail` / `skipped` for node
 * <word>, else for the last node run whose key has <word> as a part (`qa` → `comprehensive-qa`).
 * Then the file's variables.
 */
export function contextState(nodes: Record<string, string>, variables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...variables };
  const verdict = (o: string) => (PASS.has(o) ? 'pass' : FAIL.has(o) ? 'fail' : o);
  for (const [key, outcome] of Object.entries(nodes)) {
    for (const word of key.split(/[-_]/)) out[`${word}_status`] = verdict(outcome);
  }
  for (const [key, outcome] of Object.entries(nodes)) {
    out[key] = outcome;
    out[`${key}_result`] = outcome;
    out[`${key}_status`] = verdict(outcome);
  }
  return out;
}

/** The bead as `task`: its fields, and each label `k:v` (or `k=v`) as task.k = 'v', a bare label as task.label = true. */
export function taskFields(bead: Bead): Record<string, unknown> {
  const task: Record<string, unknown> = {};
  for (const label of bead.labels) {
    const m = /^([A-Za-z_][\w-]*)[:=](.*)$/.exec(label);
    if (m) task[m[1]!] = m[2];
    else task[label] = true;
  }
  return { ...task, id: bead.id, title: bead.title, type: bead.type, priority: bead.priority, labels: bead.labels.join(',') };
}

export function guardHolds(guard: Guard, state: InterpreterState, bead: Bead): boolean {
  if (!guard.expr) return true;
  const nodes = lastResults(state);
  const scope = { state: contextState(nodes, guard.variables), task: taskFields(bead), variables: guard.variables, nodes };
  return conditionHolds(guard.expr, scope);
}
