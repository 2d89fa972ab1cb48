/**
 * Durations as written in definitions: "90s", "5m", "1h30m", "2d", "250ms", or "0" (none).
 * Units from largest to smallest, each at most once. Pure, so workflow code may use it too.
 * (The `ms` package that Temporal ships reads "1h" but not compounds like "1h30m".)
 */
export const DURATION_PATTERN = '^(0|(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+)(ms|d|h|m|s)/g;

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

export function isDuration(text: string): boolean {
  return text.length > 0 && DURATION_RE.test(text);
}

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!isDuration(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_RE)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

/** 5400000 → "1h30m"; for messages and graph labels. `smallest: 's'` rounds to whole seconds (125400 → "2m5s"). */
export function formatDuration(ms: number, smallest: 's' | 'ms' = 'ms'): string {
  let rest = smallest === 's' ? Math.round(ms / 1000) * 1000 : ms;
  if (rest <= 0) return smallest === 's' ? '0s' : '0';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    if (amount > 0) out += `${amount}${unit}`;
    rest -= amount * UNIT_MS[unit];
  }
  return out;
}
