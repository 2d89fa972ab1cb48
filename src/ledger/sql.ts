/** Small helpers for parameters: PostgreSQL text and jsonb cannot hold NUL characters. */

/** A string without NULs (an agent's output may carry them; text columns refuse them). */
export function text(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : value.replace(/\0/g, '');
}

/** JSON for a jsonb parameter, NULs removed from every string. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '') : v));
}

/** Epoch ms → Date for timestamptz parameters (undefined → null). */
export function time(ms: number | undefined): Date | null {
  return ms === undefined || ms === null ? null : new Date(ms);
}
