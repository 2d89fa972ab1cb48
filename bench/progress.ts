/** Progress on stderr while the benchmark runs: one line per phase, live counters on a terminal. */

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastLine = 0;
  private live = false;
  private readonly began = performance.now();

  /** A finished fact or a new phase: always printed on its own line. */
  note(line: string): void {
    this.clearLive();
    process.stderr.write(`[${this.clock()}] ${line}\n`);
  }

  /** A counter: rewritten in place on a terminal, at most every 5 s otherwise. */
  tick(label: string, done: number, total: number, extra = ''): void {
    const now = performance.now();
    const finished = done >= total;
    if (!finished && now - this.lastLine < (this.tty ? 200 : 5000)) return;
    this.lastLine = now;
    const line = `[${this.clock()}] ${label}: ${done}/${total}${extra ? ` ${extra}` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      this.live = !finished;
      if (finished) process.stderr.write('\n');
    } else if (!finished) {
      process.stderr.write(`${line}\n`);
    }
  }

  private clearLive(): void {
    if (this.live) process.stderr.write('\r\x1b[2K');
    this.live = false;
  }

  private clock(): string {
    const s = Math.floor((performance.now() - this.began) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
}
