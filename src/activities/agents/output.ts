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
  /** Inside an over-long line: the rest of it up to the next newline is dropped, not taken as lines of its own. */
  private dropping = false;

  /** `maxChars`: longest line kept whole (answer lines may be long; logged lines are cut shorter). */
  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (this.dropping) this.dropping = false;
      else this.emit(clip(line.replace(/\r$/, ''), this.maxChars));
    }
    if (this.partial.length > this.maxChars) {
      if (!this.dropping) this.emit(clip(this.partial, this.maxChars));
      this.dropping = true;
      this.partial = '';
    }
  }

  flush(): void {
    if (this.partial && !this.dropping) this.emit(clip(this.partial.replace(/\r$/, ''), this.maxChars));
    this.partial = '';
    this.dropping = false;
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
    else if (this.count === MAX_LOGGED_LINES + 1)
      this.ctx.log(`${this.label}: more output follows; only the first ${MAX_LOGGED_LINES} lines are logged`);
    this.kept.push(line);
    if (this.kept.length > this.tailLines) this.kept.shift();
  }

  finish(): void {
    if (this.count > MAX_LOGGED_LINES)
      this.ctx.log(`${this.label}: ${this.count} output lines in all, ${this.count - MAX_LOGGED_LINES} not logged`);
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

export function clip(line: string, max = MAX_LINE_CHARS): string {
  return line.length > max ? `${line.slice(0, max)}… [line cut at ${max} chars]` : line;
}
