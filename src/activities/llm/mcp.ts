/**
 * Tools from MCP servers for the model agent: connects to the servers configured for a role
 * (stdio or streamable HTTP), lists their tools as ToolSpecs and runs calls. Everything a model
 * can act on (a tool's error, an unknown tool, a server that died) comes back as a ToolOutcome;
 * a server that cannot start only costs the turn that server's tools.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ToolOutcome, ToolSpec } from '../../shared/agent-loop';
import { sameRole } from '../../shared/roles';
import type { McpServerConfig } from './mcp-config';

export { loadMcpServers, parseMcpServers, type McpServerConfig } from './mcp-config';

/** Tool results are cut here (64 KiB of text), as the built-in tools' are. */
export const MCP_RESULT_CHARS = 64 * 1024;
const NAME_CHARS = 64;
const STDERR_TAIL = 2048;

type Log = (msg: string, fields?: Record<string, unknown>) => void;

interface Connection {
  client: Client;
  /** HTTP servers get told the session ends (stdio servers see their stdin close). */
  end: () => Promise<void>;
  tools: ToolSpec[];
  /** Why the stdio child said it failed: the tail of its stderr, for warnings. */
  stderr: () => string;
}

export class McpToolbox {
  private readonly servers: McpServerConfig[];
  private readonly log: Log;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;
  /** Live or pending connections; a failed or closed one is dropped, so the next turn tries again. */
  private readonly connections = new Map<string, Promise<Connection>>();
  /** Exposed name → server and the tool's own name, kept across reconnects so names stay stable. */
  private readonly byName = new Map<string, { server: string; tool: string }>();

  constructor(servers: McpServerConfig[], opts: { log?: Log; connectTimeoutMs?: number; callTimeoutMs?: number } = {}) {
    this.servers = servers;
    this.log = opts.log ?? (() => {});
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 30_000;
    this.callTimeoutMs = opts.callTimeoutMs ?? 60_000;
  }

  /** Tools of every server configured for `role`; servers that cannot be reached are skipped with a warning. */
  async tools(role: string): Promise<ToolSpec[]> {
    const mine = this.servers.filter((s) => !s.roles || s.roles.some((r) => sameRole(r, role)));
    const lists = await Promise.all(
      mine.map(async (server) => {
        try {
          return (await this.connection(server)).tools;
        } catch (err) {
          this.log('MCP server unavailable; the turn goes on without its tools', { server: server.name, role, error: message(err) });
          return [];
        }
      }),
    );
    return lists.flat();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Runs a tool by its exposed name. Only cancellation (opts.signal) throws; every failure of the tool or server is an outcome. */
  async call(name: string, args: unknown, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ToolOutcome> {
    opts.signal?.throwIfAborted();
    const target = this.byName.get(name);
    const server = target && this.servers.find((s) => s.name === target.server);
    if (!target || !server) {
      const known = [...this.byName.keys()];
      return { ok: false, text: `unknown tool "${name}"${known.length ? `; MCP tools: ${known.join(', ')}` : ''}` };
    }
    const input = toArguments(args);
    if (typeof input === 'string') return { ok: false, text: input };
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    let conn: Connection;
    try {
      conn = await this.connection(server);
    } catch (err) {
      return { ok: false, text: `MCP server "${server.name}" is unavailable: ${message(err)}` };
    }
    try {
      const result = await conn.client.callTool({ name: target.tool, arguments: input }, undefined, {
        signal: opts.signal,
        timeout: timeoutMs,
      });
      const text = resultText(result as Record<string, unknown>);
      return cap(result.isError === true ? { ok: false, text: text || `tool ${name} failed without saying why` } : { ok: true, text });
    } catch (err) {
      // The SDK rejects an aborted request with its own error; the caller wants its cancellation back.
      opts.signal?.throwIfAborted();
      const timedOut = err instanceof McpError && err.code === Number(ErrorCode.RequestTimeout);
      return {
        ok: false,
        text: timedOut ? `tool ${name} timed out after ${timeoutMs} ms` : `tool ${name} failed: ${message(err)}${tail(conn.stderr())}`,
      };
    }
  }

  /** Closes every connection (stdio children exit). The toolbox may be used again afterwards: it reconnects. */
  async close(): Promise<void> {
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(
      pending.map(async (p) => {
        const c = await p;
        await c.end().catch(() => {});
        await c.client.close();
      }),
    );
  }

  private connection(server: McpServerConfig): Promise<Connection> {
    let conn = this.connections.get(server.name);
    if (!conn) {
      conn = this.connect(server);
      this.connections.set(server.name, conn);
      const forget = () => {
        if (this.connections.get(server.name) === conn) this.connections.delete(server.name);
      };
      void conn.then((c) => {
        c.client.onclose = forget;
      }, forget);
    }
    return conn;
  }

  private async connect(server: McpServerConfig): Promise<Connection> {
    let stderrTail = '';
    let transport: Transport;
    let end = async () => {};
    if (server.command) {
      const stdio = new StdioClientTransport({
        command: server.command,
        args: server.args,
        env: server.env,
        cwd: server.cwd,
        stderr: 'pipe',
      });
      // Piped stderr must be read or a chatty server blocks; the tail explains a failed start.
      stdio.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
      });
      transport = stdio;
    } else {
      const http = new StreamableHTTPClientTransport(new URL(server.url ?? ''), { requestInit: { headers: server.headers } });
      end = () => http.terminateSession();
      transport = http;
    }
    const client = new Client({ name: 'beadflow', version: '0.1.0' });
    client.onerror = (err) => this.log('MCP transport error', { server: server.name, error: message(err) });
    try {
      await client.connect(transport, { timeout: this.connectTimeoutMs });
      const tools: ToolSpec[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.connectTimeoutMs });
        for (const t of page.tools) {
          tools.push({
            name: this.expose(server.name, t.name),
            description: t.description ?? t.title ?? '',
            inputSchema: t.inputSchema as Record<string, unknown>,
            source: `mcp:${server.name}`,
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      this.log('MCP server connected', { server: server.name, tools: tools.length });
      return { client, end, tools, stderr: () => stderrTail };
    } catch (err) {
      await client.close().catch(() => {});
      throw new Error(`${message(err)}${tail(stderrTail)}`, { cause: err });
    }
  }

  /** `<server>__<tool>` in the characters and length models accept; a clash after cutting gets a numeric suffix. */
  private expose(server: string, tool: string): string {
    const base = `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, NAME_CHARS);
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : `_${n}`;
      const name = base.slice(0, NAME_CHARS - suffix.length) + suffix;
      const owner = this.byName.get(name);
      if (!owner) this.byName.set(name, { server, tool });
      if (!owner || (owner.server === server && owner.tool === tool)) return name;
    }
  }
}

/** Models send arguments as an object, sometimes as its JSON text; anything else is an error the model can fix. */
function toArguments(args: unknown): Record<string, unknown> | string {
  if (args === undefined || args === null) return {};
  let value = args;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value || '{}');
    } catch {
      return 'the arguments are not valid JSON; send a JSON object';
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : 'the arguments must be a JSON object';
}

type Part = { type: string; text?: string; uri?: string; resource?: { uri?: string; text?: string } };

function resultText(result: Record<string, unknown>): string {
  if (!Array.isArray(result.content)) return JSON.stringify(result.toolResult ?? result.structuredContent ?? null);
  const parts = (result.content as Part[]).map((p) => {
    if (p.type === 'text') return p.text ?? '';
    if (p.type === 'resource' && typeof p.resource?.text === 'string') return `[resource ${p.resource.uri ?? ''}]\n${p.resource.text}`;
    if (p.type === 'resource_link') return `[resource link: ${p.uri ?? ''}]`;
    return `[${p.type} content omitted]`;
  });
  // Tools that answer only with structured data still owe the model something to read.
  if (!parts.length && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

function cap(outcome: ToolOutcome): ToolOutcome {
  if (outcome.text.length <= MCP_RESULT_CHARS) return outcome;
  const note = `\n[truncated: the result had ${outcome.text.length} characters; this is the first part]`;
  let end = MCP_RESULT_CHARS - note.length;
  // Do not split a surrogate pair: half a character is not valid text.
  if (/[\uD800-\uDBFF]/.test(outcome.text[end - 1])) end--;
  return { ...outcome, text: outcome.text.slice(0, end) + note, truncated: true };
}

function tail(stderr: string): string {
  const t = stderr.trim();
  return t ? ` (server stderr: ${t.slice(-500)})` : '';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
