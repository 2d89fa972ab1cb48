/**
 * The step format's `variables:` block and its two template spellings, `{{variables.x}}` (or
 * `{{ x }}`) and `${x}` (or `${variables.x}`). Substitution is textual and one pass: a value that
 * itself holds a template is not expanded again. Unknown names stay as written and are reported.
 */

export type Variables = Readonly<Record<string, unknown>>;

const TEMPLATE = /\{\{\s*(?:variables\.)?([A-Za-z_][\w-]*)\s*\}\}|\$\{\s*(?:variables\.)?([A-Za-z_][\w-]*)\s*\}/g;

/** A whole-string template ("{{variables.x}}"): its variable name, so a number stays a number. */
const WHOLE = new RegExp(`^\\s*(?:${TEMPLATE.source})\\s*$`);

export interface Substituted<T> {
  value: T;
  /** Names used that `variables:` does not define. */
  unknown: string[];
}

const own = (vars: Variables, name: string) => Object.prototype.hasOwnProperty.call(vars, name);

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function substituteString(input: string, vars: Variables): Substituted<string> {
  const unknown: string[] = [];
  const value = input.replace(TEMPLATE, (whole: string, a?: string, b?: string) => {
    const name = (a ?? b)!;
    if (!own(vars, name)) {
      unknown.push(name);
      return whole;
    }
    return text(vars[name]);
  });
  return { value, unknown };
}

/**
 * Substitutes in every string of a value (objects and arrays included). A string that is only a
 * template takes the variable's own value, so `timeout: "{{variables.t}}"` with `t: 900` is 900.
 */
export function substitute(input: unknown, vars: Variables, unknown: string[] = []): Substituted<unknown> {
  if (typeof input === 'string') {
    const whole = WHOLE.exec(input);
    const name = whole?.[1] ?? whole?.[2];
    if (name !== undefined && own(vars, name)) return { value: vars[name], unknown };
    const out = substituteString(input, vars);
    unknown.push(...out.unknown);
    return { value: out.value, unknown };
  }
  if (Array.isArray(input)) return { value: input.map((v) => substitute(v, vars, unknown).value), unknown };
  if (typeof input === 'object' && input !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) out[k] = substitute(v, vars, unknown).value;
    return { value: out, unknown };
  }
  return { value: input, unknown };
}
