/** The model turn's rules (src/interpreter/agent-loop.ts): when a turn ends, with what, and which limit stopped it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AgentLoop, MAX_REPLIES_WITHOUT_ANSWER } from '../../src/interpreter/agent-loop';
import type { AgentLoopPlan, ModelCallResult, ModelToolCall } from '../../src/shared/agent-loop';
import { LIMITS } from '../../src/shared/limits';

const plan = (limits = { maxToolCalls: 5, maxTokens: 10_000 }): AgentLoopPlan => ({
  hostQueue: 'beadflow-host-test',
  model: 'openai-compatible:m',
  system: 'you are a test',
  prompt: 'fix it',
  tools: [],
  limits,
  agent: 'llm:openai-compatible:m',
});

let ids = 0;
const call = (toolName: string, input: unknown, error?: string): ModelToolCall => ({
  toolCallId: `c${++ids}`,
  toolName,
  input,
  ...(error ? { error } : {}),
});
const reply = (over: Partial<ModelCallResult> = {}): ModelCallResult => ({
  messages: [{ role: 'assistant', content: over.text ?? '' }],
  text: '',
  toolCalls: [],
  finishReason: 'stop',
  usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
  ...over,
});

describe('agent loop rules', () => {
  test('tool calls are run, their results go into the transcript, and finish ends the turn', () => {
    const loop = new AgentLoop(plan());
    const read = call('read_file', { path: 'a' });
    assert.deepEqual(loop.afterModel(reply({ toolCalls: [read] })), { kind: 'tools', calls: [read] });
    loop.afterTool(read, { ok: true, text: 'contents' });
    assert.deepEqual(loop.next(), { kind: 'model' });
    const tool = loop.messages.find((m) => m.role === 'tool') as unknown as { content: Array<{ output: unknown }> };
    assert.deepEqual(tool.content[0].output, { type: 'text', value: 'contents' });
    const end = loop.afterModel(reply({ toolCalls: [call('finish', { outcome: 'success', summary: 'done' })] }));
    assert.deepEqual(end, { kind: 'done', outcome: 'success', summary: 'done' });
    assert.deepEqual(loop.usage, { modelCalls: 2, toolCalls: 1, inputTokens: 200, outputTokens: 40, totalTokens: 240 });
  });

  test('a final message holding the JSON answer ends the turn too', () => {
    const loop = new AgentLoop(plan());
    const end = loop.afterModel(reply({ text: '{"outcome":"rejected","summary":"needs a test"}' }));
    assert.deepEqual(end, { kind: 'done', outcome: 'rejected', summary: 'needs a test' });
  });

  test('errors the model can correct: unknown tool, unparsable arguments, a finish without a valid outcome', () => {
    assert.deepEqual(AgentLoop.refusal(call('nope', {}, "Model tried to call unavailable tool 'nope'")), {
      ok: false,
      text: "Model tried to call unavailable tool 'nope'",
    });
    assert.match(AgentLoop.refusal(call('finish', { outcome: 'great' }))?.text ?? '', /finish needs \{"outcome": one of success/);
    assert.equal(AgentLoop.refusal(call('read_file', { path: 'a' })), undefined);
    const loop = new AgentLoop(plan());
    const bad = call('finish', { outcome: 'great', summary: 'x' });
    assert.deepEqual(loop.afterModel(reply({ toolCalls: [bad] })), { kind: 'tools', calls: [bad] }, 'a bad finish does not end the turn');
    loop.afterTool(bad, AgentLoop.refusal(bad)!);
    const tool = loop.messages.at(-1) as unknown as { content: Array<{ output: { type: string } }> };
    assert.equal(tool.content[0].output.type, 'error-text');
  });

  test(`garbage answers get a repair request, then the turn fails after ${MAX_REPLIES_WITHOUT_ANSWER}`, () => {
    const loop = new AgentLoop(plan());
    for (let i = 1; i < MAX_REPLIES_WITHOUT_ANSWER; i++) {
      assert.deepEqual(loop.afterModel(reply({ text: 'I think the bug is somewhere' })), { kind: 'model' });
      assert.match(String(loop.messages.at(-1)?.content), /neither a tool call nor the answer/);
    }
    const end = loop.afterModel(reply({ text: 'still thinking' }));
    assert.equal(end.kind, 'done');
    assert.deepEqual(end.kind === 'done' && [end.outcome, end.limit], ['failure', 'no_answer']);
  });

  test('max_tool_calls: a model that loops without finishing fails the turn and the summary names the limit', () => {
    const loop = new AgentLoop(plan({ maxToolCalls: 3, maxTokens: 1e9 }));
    let step = loop.afterModel(reply({ toolCalls: [call('list_files', {}), call('list_files', {})] }));
    assert.equal(step.kind, 'tools');
    step = loop.afterModel(reply({ toolCalls: [call('list_files', {})] }));
    assert.equal(step.kind, 'tools');
    step = loop.afterModel(reply({ toolCalls: [call('list_files', {})] }));
    assert.equal(step.kind, 'done');
    if (step.kind !== 'done') return;
    assert.equal(step.outcome, 'failure');
    assert.equal(step.limit, 'max_tool_calls');
    assert.match(step.summary, /max_tool_calls \(3\)/);
    assert.match(step.summary, /3 model calls, 3 tool calls/);
  });

  test('max_tokens: the sum of the API usage', () => {
    const loop = new AgentLoop(plan({ maxToolCalls: 50, maxTokens: 300 }));
    assert.equal(loop.afterModel(reply({ toolCalls: [call('git_diff', {})] })).kind, 'tools');
    assert.equal(loop.afterModel(reply({ toolCalls: [call('git_diff', {})] })).kind, 'tools');
    const step = loop.afterModel(reply({ toolCalls: [call('finish', { outcome: 'success', summary: 'x' })] }));
    assert.deepEqual(step.kind === 'done' && [step.outcome, step.limit], ['failure', 'max_tokens']);
    assert.match(step.kind === 'done' ? step.summary : '', /360 tokens, over its max_tokens of 300/);
  });

  test('a transcript grown past what one call may carry ends the turn instead of failing the call', () => {
    const loop = new AgentLoop(plan({ maxToolCalls: 1_000, maxTokens: 1e9 }));
    const read = call('read_file', { path: 'big' });
    let step = loop.afterModel(reply({ toolCalls: [read] }));
    for (let i = 0; step.kind === 'tools' && i < 100; i++) {
      loop.afterTool(read, { ok: true, text: 'x'.repeat(LIMITS.toolResultChars) });
      step = loop.next();
      if (step.kind === 'model') step = loop.afterModel(reply({ toolCalls: [read] }));
    }
    assert.deepEqual(step.kind === 'done' && [step.outcome, step.limit], ['failure', 'transcript']);
  });
});
