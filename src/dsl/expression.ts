/**
 * The step format's `condition:` language, parsed by hand and evaluated over plain data — never
 * eval or Function. Grammar (lowest precedence first):
 *   or    := and ('||' and)*
 *   and   := eq ('&&' eq)*
 *   eq    := unary (('===' | '!==' | '==' | '!=') unary)*
 *   unary := '!' unary | primary
 *   primary := literal | '(' or ')' | "context.state.get(" string ")" | "task." name
 *            | "variables." name | step ".status" | step ".outcome"
 * Bounds: input length and nesting depth, so hostile input fails fast with a message.
 */

export const MAX_EXPRESSION_CHARS = 1000;
export const MAX_EXPRESSION_DEPTH = 32;

export type Literal = string | number | boolean | null;
export type Expr =
  | { kind: 'literal'; value: Literal }
  | { kind: 'state'; key: string }
  | { kind: 'task'; field: string }
  /** A variable of the file (the step format's `variables:`, a native node's `metadata.variables`). */
  | { kind: 'variable'; name: string }
  /** An earlier node's last result: its outcome, `skipped`, or absent when it has not run. */
  | { kind: 'node'; key: string }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: '===' | '!==' | '==' | '!=' | '&&' | '||'; left: Expr; right: Expr };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based character offset in the expression. */
    readonly offset: number,
    readonly hint = "conditions use <step>.status, variables.name, context.state.get('key'), task.field, ===, !==, ==, !=, &&, ||, ! and literals",
  ) {
    super(`${message} (at character ${offset + 1}); ${hint}`);
    this.name = 'ExpressionError';
  }
}

type Token = { type: 'op' | 'name' | 'string' | 'number'; text: string; at: number };

const OPERATORS = ['===', '!==', '==', '!=', '&&', '||', '!', '(', ')', '.'];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unterminated string', i);
      tokens.push({ type: 'string', text: input.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(input.slice(i));
    if (number) {
      tokens.push({ type: 'number', text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    // Hyphens belong to names (step ids like comprehensive-qa): the language has no minus operator.
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(input.slice(i));
    if (name) {
      tokens.push({ type: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected character "${c}"`, i);
  }
  return tokens;
}

/** Field names a condition may never reach, whatever the data holds. */
const FORBIDDEN_FIELDS = new Set(['constructor', 'prototype', '__proto__']);

export function parseExpression(input: string): Expr {
  if (input.length > MAX_EXPRESSION_CHARS)
    throw new ExpressionError(
      `the condition is ${input.length} characters; the limit is ${MAX_EXPRESSION_CHARS}`,
      0,
      'split the logic into earlier steps',
    );
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const here = () => peek()?.at ?? input.length;
  const take = (text: string): boolean => {
    if (peek()?.type === 'op' && peek()!.text === text) {
      pos++;
      return true;
    }
    return false;
  };
  const expect = (text: string) => {
    if (!take(text)) throw new ExpressionError(`expected "${text}"`, here());
  };

  const binary =
    (ops: string[], next: (depth: number) => Expr) =>
    (depth: number): Expr => {
      let left = next(depth);
      for (;;) {
        const t = peek();
        if (t?.type !== 'op' || !ops.includes(t.text)) return left;
        pos++;
        left = { kind: 'binary', op: t.text as '===', left, right: next(depth) };
      }
    };
  const primary = (depth: number): Expr => {
    if (depth > MAX_EXPRESSION_DEPTH)
      throw new ExpressionError(`nested deeper than ${MAX_EXPRESSION_DEPTH} levels`, here(), 'flatten the condition');
    if (take('!')) return { kind: 'not', operand: primary(depth + 1) };
    if (take('(')) {
      const inner = or(depth + 1);
      expect(')');
      return inner;
    }
    const t = peek();
    if (t === undefined) throw new ExpressionError('the condition ends too early', input.length);
    pos++;
    if (t.type === 'string') return { kind: 'literal', value: t.text };
    if (t.type === 'number') return { kind: 'literal', value: Number(t.text) };
    if (t.type === 'name') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
      if (t.text === 'null') return { kind: 'literal', value: null };
      if (t.text === 'task') {
        expect('.');
        return { kind: 'task', field: fieldName() };
      }
      if (t.text === 'context') {
        expect('.');
        if (fieldName() !== 'state') throw new ExpressionError('only context.state.get(...) is known', t.at);
        expect('.');
        if (fieldName() !== 'get') throw new ExpressionError('only context.state.get(...) is known', t.at);
        expect('(');
        const key = peek();
        if (key?.type !== 'string') throw new ExpressionError('context.state.get takes one quoted key', here());
        pos++;
        expect(')');
        return { kind: 'state', key: key.text };
      }
      if (t.text === 'variables') {
        expect('.');
        return { kind: 'variable', name: fieldName() };
      }
      if (peek()?.text === '.') {
        pos++;
        const field = peek();
        if (field?.type === 'name' && (field.text === 'status' || field.text === 'outcome')) {
          pos++;
          return { kind: 'node', key: t.text };
        }
      }
    }
    throw new ExpressionError(`unexpected "${t.text}"`, t.at);
  };
  const fieldName = (): string => {
    const t = peek();
    if (t?.type !== 'name') throw new ExpressionError('expected a field name', here());
    if (FORBIDDEN_FIELDS.has(t.text)) throw new ExpressionError(`"${t.text}" is not a readable field`, t.at);
    pos++;
    return t.text;
  };
  const eq = binary(['===', '!==', '==', '!='], primary);
  const and = binary(['&&'], eq);
  const or: (depth: number) => Expr = binary(['||'], and);

  const expr = or(0);
  if (pos < tokens.length) throw new ExpressionError(`unexpected "${tokens[pos]!.text}"`, tokens[pos]!.at);
  return expr;
}

export interface ExpressionScope {
  state: Readonly<Record<string, unknown>>;
  task: Readonly<Record<string, unknown>>;
  variables?: Readonly<Record<string, unknown>>;
  /** Each node's last result (outcome or `skipped`) by node key. */
  nodes?: Readonly<Record<string, unknown>>;
}

/** Own properties only: a condition never sees prototypes. */
function own(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

/** Loose equality limited to the literal types: null == undefined, numbers against numeric strings. */
function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
}

export function evaluateExpression(expr: Expr, scope: ExpressionScope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'state':
      return own(scope.state, expr.key);
    case 'task':
      return own(scope.task, expr.field);
    case 'variable':
      return own(scope.variables ?? {}, expr.name);
    case 'node':
      return own(scope.nodes ?? {}, expr.key);
    case 'not':
      return !truthy(evaluateExpression(expr.operand, scope));
    case 'binary': {
      const left = evaluateExpression(expr.left, scope);
      if (expr.op === '&&') return truthy(left) ? evaluateExpression(expr.right, scope) : left;
      if (expr.op === '||') return truthy(left) ? left : evaluateExpression(expr.right, scope);
      const right = evaluateExpression(expr.right, scope);
      if (expr.op === '===') return left === right;
      if (expr.op === '!==') return left !== right;
      if (expr.op === '==') return looseEqual(left, right);
      return !looseEqual(left, right);
    }
  }
}

/** What a step's condition decides: run the step (true) or skip it (false). */
export function conditionHolds(expr: Expr, scope: ExpressionScope): boolean {
  return truthy(evaluateExpression(expr, scope));
}
