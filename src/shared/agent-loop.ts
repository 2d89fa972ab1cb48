/**
 * The model agent's turn as a loop of durable steps: the contract between the agent-loop
 * workflow (src/workflows/agent-loop.ts) and the host activities that call the model and run
 * tools (src/activities/llm/). Everything here is plain JSON: it goes through history.
 */

/** A tool the model may call: built in (read_file, edit_file, ...) or from an MCP server. */
export interface ToolSpec {
  /** What the model calls it: [A-Za-z0-9_-], at most 64 characters. */
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
  /** `builtin`, or `mcp:<server>` for tools from an MCP server. */
  source: string;
}

/** What one tool call gave back: the text the model sees next. */
export interface ToolOutcome {
  /** false: the model sees an error it can correct (unknown tool, bad arguments, no unique match, ...). */
  ok: boolean;
  text: string;
  /** The text was cut at the tool-result cap; `text` says so at its end. */
  truncated?: boolean;
}

/** What a model turn spent: summed over its model calls. */
export interface TurnUsage {
  modelCalls: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface AgentLimits {
  /** Tool calls the turn may make; reaching it ends the turn as failure. */
  maxToolCalls: number;
  /** Tokens (the API's usage, input + output) the turn may spend. */
  maxTokens: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = { maxToolCalls: 50, maxTokens: 500_000 };

/**
 * The first activity of a model turn prepared the worktree on its host and hands the loop to the
 * workflow: every model call and tool call then runs as its own activity on that host's queue, so
 * a worker killed mid-turn resumes at the next call with the same transcript.
 */
export interface AgentLoopPlan {
  /** The task queue of the host that holds the worktree (`beadflow-host-<host>`). */
  hostQueue: string;
  /** `<provider>:<model>`, e.g. `openai-compatible:qwen2.5-coder`. Never a key. */
  model: string;
  system: string;
  prompt: string;
  tools: ToolSpec[];
  limits: AgentLimits;
  /** The worktree on the host (absent: the turn has no repository; file tools refuse). */
  worktree?: string;
  /** argv of run_tests (absent: run_tests says none is configured). */
  testCommand?: string[];
  /** What the host must commit and push when the turn ends. */
  finish?: {
    ref: string;
    upstream: string;
    head: string;
    title: string;
    node: string;
    turn: string;
    /** A conflict resolution: the worktree is mid-merge of the target; the host concludes the merge only if no marker remains. */
    merge?: { files: string[]; targetBranch: string; targetSha: string };
  };
  agent: string;
}

/** A message of the transcript, as the AI SDK's ModelMessage in JSON. */
export type TranscriptMessage = Record<string, unknown> & { role: string };

export interface ModelCallInput {
  model: string;
  system: string;
  messages: TranscriptMessage[];
  tools: ToolSpec[];
  /** For logs and the activity summary. */
  beadId: string;
  node: string;
}

export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
  /** The SDK could not parse the arguments or does not know the tool: the model gets this error back. */
  error?: string;
}

export interface ModelCallResult {
  /** The assistant (and tool) messages the call added to the transcript. */
  messages: TranscriptMessage[];
  text: string;
  toolCalls: ModelToolCall[];
  finishReason: string;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
}

export interface ToolCallInput {
  beadId: string;
  name: string;
  input: unknown;
  worktree?: string;
  testCommand?: string[];
  /** How long a command (run_tests) may take: the rest of the turn. */
  timeoutMs?: number;
}

export interface FinishTurnInput {
  beadId: string;
  worktree: string;
  finish: NonNullable<AgentLoopPlan['finish']>;
}

export interface FinishTurnResult {
  head: string;
  /** A resolution's merge could not be concluded (markers or unmerged paths remain): why. */
  unresolved?: string;
}

/** Activities on a host's queue (`beadflow-host-<host>`). */
export interface HostActivities {
  modelCall(input: ModelCallInput): Promise<ModelCallResult>;
  toolCall(input: ToolCallInput): Promise<ToolOutcome>;
  finishTurn(input: FinishTurnInput): Promise<FinishTurnResult>;
}

export const HOST_QUEUE_PREFIX = 'beadflow-host-';
