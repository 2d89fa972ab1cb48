/**
 * The rules of a model agent's turn, pure: what the transcript holds, when the turn ends and
 * with what outcome, which limit stopped it. The workflow (src/workflows/agent-loop.ts) only
 * calls the model and the tools these rules ask for and feeds the answers back.
 */
import { AGENT_OUTCOMES } from '../shared/agent';
import type { AgentOutcome } from '../shared/agent';
import type { AgentLoopPlan, ModelCallResult, ModelToolCall, ToolOutcome, TranscriptMessage, TurnUsage } from '../shared/agent-loop';
import { ANSWER_FORMAT, parseAnswer } from '../shared/answer';
import { LIMITS } from '../shared/limits';

export type LoopStep =
  | { kind: 'model' }
  | { kind: 'tools'; calls: ModelToolCall[] }
  | { kind: 'done'; outcome: AgentOutcome; summary: string; limit?: 'max_tool_calls' | 'max_tokens' | 'transcript' | 'no_answer' };

/** Replies with neither a tool call nor a usable answer before the turn fails. */
export const MAX_REPLIES_WITHOUT_ANSWER = 3;

export const FINISH_TOOL = 'finish';

export class AgentLoop {
  readonly messages: TranscriptMessage[];
  readonly usage: TurnUsage = { modelCalls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  private unanswered = 0;
  private transcriptBytes: number;

  constructor(private readonly plan: AgentLoopPlan) {
    this.messages = [{ role: 'user', content: plan.prompt }];
    this.transcriptBytes = byteLength(plan.system) + byteLength(plan.prompt);
  }

  /** The model answered: record it and say what comes next. */
  afterModel(reply: ModelCallResult): LoopStep {
    this.usage.modelCalls += 1;
    this.usage.inputTokens += reply.usage.inputTokens;
    this.usage.outputTokens += reply.usage.outputTokens;
    this.usage.totalTokens += reply.usage.totalTokens;
    this.append(...reply.messages);
    const { maxTokens, maxToolCalls } = this.plan.limits;
    if (this.usage.totalTokens > maxTokens) {
      return this.limit('max_tokens', `the turn used ${this.usage.totalTokens} tokens, over its max_tokens of ${maxTokens}`);
    }
    const finish = reply.toolCalls.find((c) => c.toolName === FINISH_TOOL && !c.error && finishArgs(c.input));
    if (finish) {
      const args = finishArgs(finish.input)!;
      return { kind: 'done', outcome: args.outcome, summary: args.summary };
    }
    if (reply.toolCalls.length > 0) {
      if (this.usage.toolCalls + reply.toolCalls.length > maxToolCalls) {
        return this.limit('max_tool_calls', `the model asked for more than max_tool_calls (${maxToolCalls}) tool calls`);
      }
      this.usage.toolCalls += reply.toolCalls.length;
      return { kind: 'tools', calls: reply.toolCalls };
    }
    const parsed = parseAnswer(reply.text);
    if (parsed.ok) return { kind: 'done', outcome: parsed.answer.outcome, summary: parsed.answer.summary };
    this.unanswered += 1;
    if (this.unanswered >= MAX_REPLIES_WITHOUT_ANSWER) {
      return this.limit(
        'no_answer',
        `the model replied ${this.unanswered} times with neither a tool call nor an answer (${parsed.reason})`,
      );
    }
    this.append({
      role: 'user',
      content: `Your reply was neither a tool call nor the answer: ${parsed.reason}. Call a tool, or end the turn with the finish tool.\n${ANSWER_FORMAT}`,
    });
    return this.next();
  }

  /** A tool call ended (or could not be made): its result goes into the transcript. */
  afterTool(call: ModelToolCall, outcome: ToolOutcome): void {
    this.append({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: outcome.ok ? { type: 'text', value: outcome.text } : { type: 'error-text', value: outcome.text },
        },
      ],
    });
  }

  /** What a call the SDK already rejected (unknown tool, unparsable arguments), or a bad finish, gets back. */
  static refusal(call: ModelToolCall): ToolOutcome | undefined {
    if (call.error) return { ok: false, text: call.error };
    if (call.toolName === FINISH_TOOL && !finishArgs(call.input)) {
      return { ok: false, text: `finish needs {"outcome": one of ${AGENT_OUTCOMES.join(', ')}, "summary": "..."}` };
    }
    return undefined;
  }

  /** After the tools ran: the next model call, unless the transcript grew past what a call can carry. */
  next(): LoopStep {
    if (this.transcriptBytes > LIMITS.transcriptBytes) {
      return this.limit(
        'transcript',
        `the transcript reached ${this.transcriptBytes} bytes, over the ${LIMITS.transcriptBytes} a model call may carry`,
      );
    }
    return { kind: 'model' };
  }

  private limit(limit: NonNullable<Extract<LoopStep, { kind: 'done' }>['limit']>, why: string): LoopStep {
    const spent = `${this.usage.modelCalls} model calls, ${this.usage.toolCalls} tool calls, ${this.usage.totalTokens} tokens`;
    return { kind: 'done', outcome: 'failure', summary: `stopped at the ${limit} limit: ${why} (${spent})`, limit };
  }

  private append(...messages: TranscriptMessage[]): void {
    for (const m of messages) {
      this.messages.push(m);
      this.transcriptBytes += byteLength(JSON.stringify(m));
    }
  }
}

function finishArgs(input: unknown): { outcome: AgentOutcome; summary: string } | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { outcome, summary } = input as { outcome?: unknown; summary?: unknown };
  if (typeof outcome !== 'string' || !(AGENT_OUTCOMES as readonly string[]).includes(outcome)) return undefined;
  return { outcome: outcome as AgentOutcome, summary: typeof summary === 'string' ? summary.slice(0, LIMITS.summaryChars) : '' };
}

/** UTF-8 length without Buffer (workflow code). */
function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
