import type { HistoryEntry, InterpreterState } from './types';

/** Most recent entries kept in the state (and so in queries and continue-as-new input); the ledger keeps all. */
export const HISTORY_WINDOW = 500;

export function record(state: InterpreterState, entry: Omit<HistoryEntry, 'seq'>): HistoryEntry {
  const full: HistoryEntry = { seq: ++state.historyTotal, ...entry };
  state.history.push(full);
  if (state.history.length > HISTORY_WINDOW) state.history.splice(0, state.history.length - HISTORY_WINDOW);
  return full;
}

/** One line per move for agent prompts: "investigate (QA Engineer) success → pm_review: found it". */
export function historySummary(state: InterpreterState, max = 20): string[] {
  return state.history
    .filter((h) => h.kind !== 'move' && h.kind !== 'note')
    .slice(-max)
    .map((h) => {
      const who = h.actor ? ` by ${h.actor}` : '';
      const outcome = h.outcome ? ` ${h.outcome}` : '';
      return `#${h.seq} ${h.kind} ${h.node || '(start)'}${outcome}${who}: ${h.summary}`.trim();
    });
}
