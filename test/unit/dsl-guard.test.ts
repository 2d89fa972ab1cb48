/** The guard language's step results and variables: precedence, types, references, and that nothing executes. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionHolds, ExpressionError, parseExpression } from '../../src/dsl/expression';
import { buildGuard, references, unknownNames } from '../../src/dsl/guard';

const holds = (src: string, nodes: Record<string, string> = {}, variables: Record<string, unknown> = {}) =>
  conditionHolds(parseExpression(src), { state: {}, task: {}, nodes, variables });

describe('guards read earlier results and variables', () => {
  test('<step>.status and .outcome read the node result, hyphenated keys included', () => {
    assert.equal(holds("comprehensive-qa.status == 'success'", { 'comprehensive-qa': 'success' }), true);
    assert.equal(holds("qa.outcome != 'failure'", { qa: 'failure' }), false);
    assert.equal(holds('qa.status', {}), false, 'a node that has not run is absent');
  });
  test('&& binds tighter than ||, ! tighter than ==', () => {
    assert.equal(holds('true || false && false'), true);
    assert.equal(holds('(true || false) && false'), false);
    assert.equal(holds('!qa.status == true', {}), true);
  });
  test('types: strict equality keeps types apart, loose compares numbers to numeric strings', () => {
    assert.equal(holds('variables.n === 2', {}, { n: 2 }), true);
    assert.equal(holds("variables.n === '2'", {}, { n: 2 }), false);
    assert.equal(holds("variables.n == '2'", {}, { n: 2 }), true);
    assert.equal(holds('variables.flag', {}, { flag: false }), false);
  });
});

describe('references and bounds', () => {
  test('references lists the steps and variables named', () => {
    const refs = references(parseExpression("a.status == 'x' || !(b-c.outcome && variables.v)"));
    assert.deepEqual([...refs.nodes], ['a', 'b-c']);
    assert.deepEqual([...refs.variables], ['v']);
  });
  test('unknown names are reported with what exists', () => {
    const found = unknownNames(buildGuard('ghost.status || variables.v', { w: 1 }), ['a']);
    assert.deepEqual(
      found.map((f) => f.message),
      ['"ghost.status" names no step', '"variables.v" is not a variable'],
    );
    assert.match(found[0]!.hint, /steps: a/);
    assert.deepEqual(unknownNames(buildGuard('a.status', {}), ['a']), []);
  });
  test('only literal variables travel; a parse error is kept as the guard error', () => {
    assert.deepEqual(buildGuard('true', { s: 'x', o: { deep: 1 }, l: [1] }).variables, { s: 'x' });
    const bad = buildGuard('a.status ==');
    assert.equal(bad.expr, undefined);
    assert.match(bad.error!, /ends too early/);
  });
  test('a field other than status/outcome, a call, or prototype access is refused, never run', () => {
    assert.throws(() => parseExpression('qa.constructor'), ExpressionError);
    assert.throws(() => parseExpression("qa.status('x')"), ExpressionError);
    assert.throws(() => parseExpression('variables.__proto__'), /not a readable field/);
    assert.throws(() => parseExpression('globalThis.process'), /unexpected "globalThis"/);
    assert.equal(holds('qa.status', { ['__proto__']: 'x' } as Record<string, string>), false);
  });
});
