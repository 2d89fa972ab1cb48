/**
 * Bounded handling of a child's output: split into lines (a line without a newline is cut at a
 * size limit), log the first lines, keep the last ones. A chatty or hostile process can fill
 * neither the worker's memory nor its log.
 */
import type { TurnContext } from './provider';

const MAX_LINE_CHARS = 4_000;
const MAX_LOGGED_LINES = 200;

export class LineSplitter {
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.emit(clip(line.replace(/\r$/, '')));
    if (this.partial.length > MAX_LINE_CHARS) {
      this.emit(clip(this.partial));
      this.partial = '';
    }
  }

  flush(): void {
    if (this.partial) this.emit(clip(this.partial.replace(/\r$/, '')));
    this.partial = '';
  }
}

export class OutputLog {
  count = 0;
  private readonly kept: string[] = [];

  constructor(
    private readonly label: string,
    private readonly ctx: TurnContext,
    private readonly tailLines: number,
  ) {}

  line(stream: 'stdout' | 'stderr', line: string): void {
    this.count += 1;
    if (this.count <= MAX_LOGGED_LINES) this.ctx.log(`${this.label} ${stream}: ${line}`, { stream });
    else if (this.count === MAX_LOGGED_LINES + 1) this.ctx.log(`${this.label}: more output follows; only the first ${MAX_LOGGED_LINES} lines are logged`);
    this.kept.push(line);
    if (this.kept.length > this.tailLines) this.kept.shift();
  }

  finish(): void {
    if (this.count > MAX_LOGGED_LINES) this.ctx.log(`${this.label}: ${this.count} output lines in all, ${this.count - MAX_LOGGED_LINES} not logged`);
  }

  tail(): string[] {
    return [...this.kept];
  }
}

/** The last lines, at most `maxChars` in all (a result's summary is bounded; the end matters most). */
export function tailText(lines: string[], maxChars = 3_000): string {
  const text = lines.join('\n');
  return text.length > maxChars ? `…${text.slice(text.length - maxChars)}` : text;
}

function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} chars]` : line;
}
