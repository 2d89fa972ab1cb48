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
