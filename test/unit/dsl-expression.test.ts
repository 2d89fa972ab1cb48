/** The step format's condition language: what it accepts, what it computes, what it refuses. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionHolds, ExpressionError, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, parseExpression } from '../../src/dsl/expression';

const holds = (src: string, state: Record<string, unknown> = {}, task: Record<string, unknown> = {}) =>
  conditionHolds(parseExpression(src), { state, task });

describe('conditions evaluate over state and task', () => {
  test('state lookups with strict equality', () => {
    assert.equal(holds("context.state.get('qa_status') === 'pass'", { qa_status: 'pass' }), true);
    assert.equal(holds("context.state.get('qa_status') === 'pass'", { qa_status: 'fail' }), false);
    assert.equal(holds("context.state.get('qa_status') === 'pass'"), false);
  });
  test('a bare lookup is truthy when the value is present and non-empty', () => {
    assert.equal(holds("context.state.get('planning_result')", { planning_result: 'plan' }), true);
    assert.equal(holds("context.state.get('planning_result')", { planning_result: '' }), false);
  });
  test('task fields, ||, &&, !, parentheses and literals', () => {
    const src = "task.scope === 'large' || task.performance_critical === true";
    assert.equal(holds(src, {}, { scope: 'large' }), true);
    assert.equal(holds(src, {}, { performance_critical: true }), true);
    assert.equal(holds(src, {}, { scope: 'small', performance_critical: false }), false);
    assert.equal(holds('!(task.a == 1 && task.b != null)', {}, { a: '1', b: 'x' }), false);
    assert.equal(holds('!(task.a == 1 && task.b != null)', {}, { a: 2 }), true);
    assert.equal(holds('task.missing == null'), true);
    assert.equal(holds('task.missing === null'), false);
  });
});

describe('hostile or broken input is refused with a position', () => {
  const refuses = (src: string, pattern: RegExp) => {
    assert.throws(
      () => parseExpression(src),
      (err: unknown) => err instanceof ExpressionError && pattern.test(err.message),
    );
  };
  test('syntax errors name where', () => {
    refuses("context.state.get('a' === 'b'", /expected "\)"/);
    refuses("task.a === 'open", /unterminated string/);
    refuses('task.a ; task.b', /unexpected character ";" \(at character 8\)/);
    refuses('task.a ===', /ends too early/);
    refuses('process.exit(1)', /unexpected "process"/);
    refuses("context.env.get('x')", /only context\.state\.get/);
  });
  test('no prototype access', () => {
    refuses('task.constructor', /not a readable field/);
    refuses('task.__proto__ === null', /not a readable field/);
    assert.equal(holds('task.toString'), false);
    assert.equal(holds("context.state.get('hasOwnProperty')"), false);
  });
  test('length and depth are bounded', () => {
    refuses(`task.a === '${'x'.repeat(MAX_EXPRESSION_CHARS)}'`, /limit is/);
    refuses(`${'('.repeat(MAX_EXPRESSION_DEPTH + 1)}true${')'.repeat(MAX_EXPRESSION_DEPTH + 1)}`, /nested deeper/);
    refuses(`${'!'.repeat(MAX_EXPRESSION_DEPTH + 1)}true`, /nested deeper/);
    assert.equal(holds(`${'('.repeat(MAX_EXPRESSION_DEPTH - 1)}true${')'.repeat(MAX_EXPRESSION_DEPTH - 1)}`), true);
  });
});
