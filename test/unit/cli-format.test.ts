/** What `status` and `history` print for model turns: each turn's calls and tokens, and the bead's total. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEntry, formatState } from '../../src/cli/format';
import type { HistoryEntry } from '../../src/interpreter/types';
import type { BeadState } from '../../src/workflows/messages';

const turn = (seq: number, totalTokens: number, usage = true): HistoryEntry => ({
  seq,
  kind: 'turn',
  node: 'fix',
  role: 'Software Engineer',
  actor: 'llm:openai-compatible:coder',
  outcome: 'success',
  attempt: 1,
  dispatch: 1,
  endedAt: Date.UTC(2026, 11, 3, 12, 0, seq),
  summary: 'fixed',
  ...(usage ? { usage: { modelCalls: 4, toolCalls: 3, inputTokens: totalTokens - 80, outputTokens: 80, totalTokens } } : {}),
});

test('a model turn shows its model calls, tool calls and tokens; the bead shows the sum', () => {
  assert.equal(
    formatEntry(turn(1, 480)),
    '12:00:01  fix: success (attempt 1, dispatch 1, llm:openai-compatible:coder, 4 model calls, 3 tool calls, 480 tokens) fixed',
  );
  assert.equal(formatEntry(turn(2, 0, false)), '12:00:02  fix: success (attempt 1, dispatch 1, llm:openai-compatible:coder) fixed');
  const state = {
    beadId: 'b1',
    title: 't',
    definitionId: 'd',
    type: 'bug',
    status: 'completed',
    currentNode: '',
    attempts: 1,
    cycleCount: 0,
    dispatchCount: 2,
    branches: [],
    history: [turn(1, 480), turn(2, 520)],
  } as unknown as BeadState;
  assert.match(formatState(state), /^model {7}8 model calls, 6 tool calls, 1000 tokens over 2 turn\(s\)$/m);
});
