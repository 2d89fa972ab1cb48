/** A step's `condition:` and a native node's `when:` become the node's guard; bad ones are located errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDefinitionFile, loadDefinitionText } from '../../src/dsl';

const PEERS = path.resolve(__dirname, '../../../shared/peers/multi-agent-machine-client');

describe('step conditions become guards', () => {
  test("a peer file's condition is the node's guard, parsed, with no warning", () => {
    const { definition, findings } = loadDefinitionFile(path.join(PEERS, 'hotfix.yml'));
    assert.ok(definition);
    assert.deepEqual(
      findings.filter((f) => f.code === 'step-condition'),
      [],
    );
    const guard = definition.nodes.find((n) => n.key === 'security-check')?.guard;
    assert.equal(guard?.when, "context.state.get('validation_status') === 'pass'");
    assert.deepEqual(guard?.expr, {
      kind: 'binary',
      op: '===',
      left: { kind: 'state', key: 'validation_status' },
      right: { kind: 'literal', value: 'pass' },
    });
    // Plain JSON: it survives the trip through the workflow input.
    assert.deepEqual(JSON.parse(JSON.stringify(guard)), guard);
  });

  test("a parallel step's condition guards its fork", () => {
    const { definition } = loadDefinitionFile(path.join(PEERS, 'feature.yml'));
    assert.ok(definition?.nodes.find((n) => n.key === 'governance-reviews')?.guard?.expr);
  });

  test('step results and variables are referenced by name; the file variables travel in the guard', () => {
    const text = [
      'variables: { strict: true }',
      'steps:',
      '  - { id: qa, type: persona-request, persona: qa-engineer }',
      '  - { id: review, type: persona-request, persona: code-reviewer, dependencies: [qa], condition: "qa.status == \'success\' && variables.strict" }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.deepEqual(definition?.nodes.find((n) => n.key === 'review')?.guard?.variables, { strict: true });
  });

  test('an unknown step or variable is an error at the condition, with a hint naming what exists', () => {
    const text = [
      'variables: { strict: true }',
      'steps:',
      '  - { id: qa, type: persona-request, persona: qa-engineer }',
      '  - { id: review, type: persona-request, persona: code-reviewer, dependencies: [qa], condition: "qa-typo.status == \'success\' || variables.lax" }',
    ].join('\n');
    const { definition, findings } = loadDefinitionText(text, 'x.yml');
    assert.equal(definition, undefined);
    const errors = findings.filter((f) => f.code === 'node-when');
    assert.deepEqual(
      errors.map((f) => f.line),
      [4, 4],
    );
    assert.match(errors[0]!.message, /"qa-typo\.status" names no step/);
    assert.match(errors[0]!.hint, /steps: qa, review/);
    assert.match(errors[1]!.message, /"variables\.lax" is not a variable/);
    assert.match(errors[1]!.hint, /variables: strict/);
  });
});

describe('native when:', () => {
  const native = (when: string) =>
    [
      'id: guarded',
      'nodes:',
      '  - { node_key: build, node_type: task, role_required: Software Engineer }',
      `  - { node_key: review, node_type: task, role_required: Code Reviewer, when: "${when}" }`,
      'edges:',
      '  - { from_node_key: "", to_node_key: build }',
      '  - { from_node_key: build, to_node_key: review }',
      '  - { from_node_key: review, to_node_key: "" }',
    ].join('\n');

  test('a valid guard resolves', () => {
    const { definition } = loadDefinitionText(native("build.status == 'success' && task.type == 'bug'"), 'g.yaml');
    assert.equal(definition?.nodes[1]?.guard?.expr?.kind, 'binary');
  });

  test('a guard that does not parse is an error at its line', () => {
    const { definition, findings } = loadDefinitionText(native("build.status == 'success' &&"), 'g.yaml');
    assert.equal(definition, undefined);
    const f = findings.find((x) => x.code === 'node-when');
    assert.equal(f?.line, 4);
    assert.match(f!.message, /ends too early/);
  });
});
