/**
 * A tiny OpenAI-compatible chat-completions server on 127.0.0.1 (port 0) for provider tests:
 * it answers from a plan (one entry per request, the last repeats), records each request, and
 * counts requests whose client went away before an answer (cancellation).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PlannedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** The assistant message content of a 200 answer. */
  content?: string;
  /** A raw body instead (for error bodies or broken responses). */
  body?: string;
  /** Never answer (until the client gives up). */
  hang?: boolean;
  /** Tool calls of the assistant message (arguments as an object, or a raw string to send broken JSON). */
  toolCalls?: Array<{ name: string; arguments: unknown }>;
  /** Token usage reported (default 100 prompt + 20 completion). */
  usage?: { prompt: number; completion: number };
}

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
    response_format?: unknown;
    tools?: Array<{ type: string; function: { name: string; parameters?: unknown } }>;
  };
}

export class ChatServer {
  readonly requests: RecordedRequest[] = [];
  abandoned = 0;
  private planned: PlannedResponse[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  static async start(): Promise<ChatServer> {
    const s = new ChatServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  plan(...responses: PlannedResponse[]): void {
    this.planned = responses;
    this.requests.length = 0;
    this.abandoned = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const index = this.requests.length;
      this.requests.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') as RecordedRequest['body'] });
      const p = this.planned[Math.min(index, this.planned.length - 1)] ?? { content: '{"outcome":"success","summary":"default"}' };
      if (p.hang) {
        res.on('close', () => {
          if (!res.writableEnded) this.abandoned += 1;
        });
        return;
      }
      const body =
        p.body ??
        JSON.stringify({
          id: `c${index}`,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: p.content ?? (p.toolCalls ? null : ''),
                ...(p.toolCalls
                  ? {
                      tool_calls: p.toolCalls.map((c, i) => ({
                        id: `call_${index}_${i}`,
                        type: 'function',
                        function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
                      })),
                    }
                  : {}),
              },
              finish_reason: p.toolCalls ? 'tool_calls' : 'stop',
            },
          ],
          usage: {
            prompt_tokens: p.usage?.prompt ?? 100,
            completion_tokens: p.usage?.completion ?? 20,
            total_tokens: (p.usage?.prompt ?? 100) + (p.usage?.completion ?? 20),
          },
        });
      res.writeHead(p.status ?? 200, { 'content-type': 'application/json', ...p.headers });
      res.end(body);
    });
  }
}

export const answer = (outcome: string, summary: string): PlannedResponse => ({ content: JSON.stringify({ outcome, summary }) });
export const httpError = (status: number, message: string, headers?: Record<string, string>): PlannedResponse => ({
  status,
  headers,
  body: JSON.stringify({ error: { message, type: 'test' } }),
});

/** An assistant message that calls one tool. */
export const toolCall = (name: string, args: unknown, usage?: PlannedResponse['usage']): PlannedResponse => ({
  toolCalls: [{ name, arguments: args }],
  usage,
});
