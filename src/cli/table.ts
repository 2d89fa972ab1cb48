/** Plain aligned columns for list commands, and short forms of times and durations. */

export function table(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

/** `2026-01-31 14:05:09` in UTC, or `-`. */
export function when(d: Date | string | null | undefined): string {
  if (!d) return '-';
  return new Date(d).toISOString().slice(0, 19).replace('T', ' ');
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '-';
  if (s < 60) return `${s.toFixed(1)}s`;
  if (s < 3600) return `${(s / 60).toFixed(1)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export function percent(r: number | null | undefined): string {
  return r === null || r === undefined ? '-' : `${(r * 100).toFixed(1)}%`;
}

export function truncate(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
