import { LIMITS } from '../shared/limits';
import { bounded } from './intake';
import type { HistoryEntry, InterpreterState } from './types';

/** Most recent entries kept in the state (and so in queries and continue-as-new input); the ledger keeps all. */
export const HISTORY_WINDOW = 500;
/** Bytes the kept entries may take together: the `state` query and continue-as-new input stay far below the payload limit. */
export const HISTORY_BYTES = 512 * 1024;
/** Actor and node names as kept in an entry. */
const NAME_CHARS = LIMITS.byChars;

export function record(state: InterpreterState, entry: Omit<HistoryEntry, 'seq'>): HistoryEntry {
  const full: HistoryEntry = {
    seq: ++state.historyTotal,
    ...entry,
    summary: bounded(entry.summary, LIMITS.summaryChars),
    ...(entry.actor !== undefined ? { actor: bounded(entry.actor, NAME_CHARS) } : {}),
    node: entry.node.length > NAME_CHARS ? bounded(entry.node, NAME_CHARS) : entry.node,
  };
  state.history.push(full);
  if (state.history.length > HISTORY_WINDOW) state.history.splice(0, state.history.length - HISTORY_WINDOW);
  trimToBytes(state.history, HISTORY_BYTES);
  return full;
}

/** Drops the oldest entries until the rest fit `maxBytes` (the newest entry always stays). */
export function trimToBytes(history: HistoryEntry[], maxBytes: number): void {
  let total = 0;
  let keep = history.length;
  while (keep > 0) {
    const size = entryBytes(history[keep - 1]);
    if (total + size > maxBytes && keep < history.length) break;
    total += size;
    keep--;
  }
  if (keep > 0) history.splice(0, keep);
}

/** An upper bound of an entry's JSON size, cheap enough to take on every record (≤ 3 UTF-8 bytes per UTF-16 unit). */
function entryBytes(h: HistoryEntry): number {
  return (
    400 +
    3 *
      (h.summary.length +
        h.node.length +
        (h.actor?.length ?? 0) +
        (h.to?.length ?? 0) +
        (h.role?.length ?? 0) +
        (h.branch?.length ?? 0) +
        (h.outcome?.length ?? 0))
  );
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
