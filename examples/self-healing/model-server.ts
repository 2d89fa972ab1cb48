/**
 * The demo's stand-in for a hosted model: a local OpenAI-compatible chat-completions server that
 * plays a coding agent for the self-healing example, deciding each reply from the transcript
 * alone (so a retried call gets the same answer). Investigate reads the code and names the root
 * cause; the first apply_fix makes the naive change; with the tests' output as feedback, the next
 * reads the failing test, makes the real fix with edit_file and runs the tests before finishing.
 * `npm run demo -- --self-healing --agent llm` uses it when no model endpoint is configured.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const DEMO_MODEL = 'beadflow-demo-coder';
const FILE = 'src/discount.js';
const BUGGY = 'return roundCents(price * (percent / 100));';
const NAIVE = 'return roundCents(price - percent);';
const FIXED = 'return roundCents(price * (1 - percent / 100));';

interface Message {
  role: string;
  content?: string | null;
}

type Reply = { tool: string; args: Record<string, unknown> } | { text: string };

const finish = (summary: string): Reply => ({ tool: 'finish', args: { outcome: 'success', summary } });

/** The next move of the scripted coder, from the turn's prompt and the tool results so far. */
export function nextMove(messages: Message[]): Reply {
  const prompt = messages.find((m) => m.role === 'user')?.content ?? '';
  const node = /# Your task: node "([^"]+)"/.exec(prompt)?.[1] ?? '';
  const results = messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
  const step = results.length;
  if (node === 'investigate') {
    if (step === 0) return { tool: 'read_file', args: { path: FILE } };
    return finish(
      results[0].includes(BUGGY)
        ? `Root cause: applyDiscount in ${FILE} returns the discount (price * percent/100) instead of the price after it. Fix: price * (1 - percent/100). Check: node --test.`
        : `${FILE} does not contain the known bug.`,
    );
  }
  if (node === 'apply_fix') {
    const feedback = prompt.includes('Feedback from the last rejection');
    if (!feedback) {
      if (step === 0) return { tool: 'read_file', args: { path: FILE } };
      if (step === 1) return { tool: 'edit_file', args: { path: FILE, old_text: BUGGY, new_text: NAIVE } };
      return finish(`Changed ${FILE}: applyDiscount now takes the percentage off the price.`);
    }
    if (step === 0) return { tool: 'read_file', args: { path: 'test/discount.test.js' } };
    if (step === 1) return { tool: 'read_file', args: { path: FILE } };
    if (step === 2)
      return { tool: 'edit_file', args: { path: FILE, old_text: results[1].includes(NAIVE) ? NAIVE : BUGGY, new_text: FIXED } };
    if (step === 3) return { tool: 'run_tests', args: {} };
    return finish(`The tests showed the percentage was subtracted as an amount; ${FILE} now returns price * (1 - percent/100).`);
  }
  return finish(`nothing to do for node ${node}`);
}

export class DemoModelServer {
  requests = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  static async start(): Promise<DemoModelServer> {
    const s = new DemoModelServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      this.requests += 1;
      let messages: Message[] = [];
      try {
        messages = (JSON.parse(raw) as { messages?: Message[] }).messages ?? [];
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"the body is not JSON"}}');
        return;
      }
      const move = nextMove(messages);
      const message =
        'text' in move
          ? { role: 'assistant', content: move.text }
          : {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: `call_${this.requests}`, type: 'function', function: { name: move.tool, arguments: JSON.stringify(move.args) } },
              ],
            };
      const promptTokens = Math.ceil(raw.length / 4);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `demo-${this.requests}`,
          object: 'chat.completion',
          model: DEMO_MODEL,
          choices: [{ index: 0, message, finish_reason: 'text' in move ? 'stop' : 'tool_calls' }],
          usage: { prompt_tokens: promptTokens, completion_tokens: 30, total_tokens: promptTokens + 30 },
        }),
      );
    });
  }
}
