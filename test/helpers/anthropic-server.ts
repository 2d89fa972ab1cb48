/**
 * A tiny Anthropic Messages API on 127.0.0.1 (port 0) for driving a real coding CLI offline.
 * Requests that offer tools (the CLI's main conversation) get the scripted steps in order, one
 * per assistant turn so far (the last repeats); every other request (titles, quota probes, token
 * counts, anything else) gets a generic answer. Streaming requests get SSE, others JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedStep = { text: string } | { tool: string; input: Record<string, unknown> };

export interface RecordedMessagesRequest {
  path: string;
  /** Offered tools (by name); empty for auxiliary requests. */
  tools: string[];
  stream: boolean;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

interface MessageBody {
  model?: string;
  stream?: boolean;
  tools?: Array<{ name?: string }>;
  messages?: Array<{ role: string; content: unknown }>;
}

export class AnthropicServer {
  readonly requests: RecordedMessagesRequest[] = [];
  private steps: ScriptedStep[] = [];
  private ids = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  static async start(): Promise<AnthropicServer> {
    const s = new AnthropicServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  /** What ANTHROPIC_BASE_URL should be (the CLI appends /v1/messages). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(...steps: ScriptedStep[]): void {
    this.steps = steps;
    this.requests.length = 0;
  }

  /** Requests of the main conversation (the ones offering tools). */
  get conversation(): RecordedMessagesRequest[] {
    return this.requests.filter((r) => r.tools.length > 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const url = (req.url ?? '').split('?')[0];
      let body: MessageBody = {};
      try {
        body = JSON.parse(raw || '{}') as MessageBody;
      } catch {
        body = {};
      }
      if (req.method === 'POST' && url.endsWith('/messages/count_tokens')) return json(res, { input_tokens: 100 });
      if (req.method !== 'POST' || !url.endsWith('/messages')) return json(res, {});
      const tools = (body.tools ?? []).map((t) => t.name ?? '').filter(Boolean);
      const stream = body.stream === true;
      this.requests.push({ path: url, tools, stream, body: body as Record<string, unknown>, headers: req.headers });
      const assistantTurns = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
      const step: ScriptedStep =
        tools.length > 0 && this.steps.length > 0 ? this.steps[Math.min(assistantTurns, this.steps.length - 1)] : { text: 'OK' };
      this.reply(res, body.model ?? 'claude-test', step, stream);
    });
  }

  private reply(res: http.ServerResponse, model: string, step: ScriptedStep, stream: boolean): void {
    const id = `msg_${++this.ids}`;
    const usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const block =
      'text' in step
        ? { type: 'text', text: step.text }
        : { type: 'tool_use', id: `toolu_${this.ids}`, name: step.tool, input: step.input };
    const stopReason = 'text' in step ? 'end_turn' : 'tool_use';
    if (!stream) {
      return json(res, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [block],
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
    });
    if (block.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } });
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 20 } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

function json(res: http.ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
