/**
 * A node's guard (`when:`, the step format's `condition:`): the parsed expression as plain JSON,
 * so it travels in the workflow input, plus what it may read. Pure TS (runs in workflow code).
 * A false guard skips the node: the interpreter records `skipped` and routes it as a success.
 */
import { ExpressionError, parseExpression, type Expr, type Literal } from './expression';

export interface Guard {
  /** The expression as written, for messages and history. */
  when: string;
  /** Absent when `when` does not parse; `error` says why and the checks refuse the definition. */
  expr?: Expr;
  error?: string;
  /** The variables `variables.x` reads (the step format's `variables:`, else `metadata.variables`). */
  variables: Record<string, Literal>;
}

export function buildGuard(when: string, variables: Record<string, unknown> = {}): Guard {
  const vars: Record<string, Literal> = {};
  for (const [k, v] of Object.entries(variables)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) vars[k] = v as Literal;
  }
  try {
    return { when, expr: parseExpression(when), variables: vars };
  } catch (err) {
    return { when, error: err instanceof ExpressionError ? err.message : String(err), variables: vars };
  }
}

/** The step keys and variable names an expression names (what validation checks exist). */
export function references(expr: Expr, out = { nodes: new Set<string>(), variables: new Set<string>() }) {
  if (expr.kind === 'node') out.nodes.add(expr.key);
  else if (expr.kind === 'variable') out.variables.add(expr.name);
  else if (expr.kind === 'not') references(expr.operand, out);
  else if (expr.kind === 'binary') {
    references(expr.left, out);
    references(expr.right, out);
  }
  return out;
}

/** Unknown names in a guard, as messages with a hint naming what can be referenced; [] when all are known. */
export function unknownNames(guard: Guard, nodeKeys: Iterable<string>): Array<{ message: string; hint: string }> {
  if (!guard.expr) return [];
  const keys = [...nodeKeys];
  const refs = references(guard.expr);
  const found: Array<{ message: string; hint: string }> = [];
  for (const key of refs.nodes) {
    if (!keys.includes(key))
      found.push({
        message: `"${key}.status" names no step`,
        hint: `steps: ${keys.join(', ') || '(none)'}; also task.<field>, variables.<name>, context.state.get('key')`,
      });
  }
  const vars = Object.keys(guard.variables);
  for (const name of refs.variables) {
    if (!vars.includes(name))
      found.push({ message: `"variables.${name}" is not a variable`, hint: `variables: ${vars.join(', ') || '(none)'}` });
  }
  return found;
}
