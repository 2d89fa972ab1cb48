/** Commit nodes' on_conflict, integration_role and max_resolutions: defaults, precedence, located errors and warnings. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, formatFinding, loadDefinitionText, validateResolved } from '../../src/dsl';
import { definition, edge, task } from './dsl-fixtures';
import { definition as built, node } from '../fixtures/definitions';

const EDGES = edge('', 'a') + edge('a', 'land') + edge('a', '', 'failure') + edge('land', '') + edge('land', '', 'failure');

function commit(extra = ''): string {
  return `  - node_key: land\n    node_type: commit\n${extra}`;
}

function load(nodes: string, top = '') {
  return loadDefinitionText(definition(nodes, EDGES, top), 'c.yaml');
}

function land(nodes: string, top = '') {
  const { definition: def, findings } = load(nodes, top);
  assert.ok(def, findings.map(formatFinding).join('\n'));
  return { node: def.nodes.find((n) => n.key === 'land')!, findings };
}

describe('on_conflict', () => {
  test('absent or fail: no resolution (a conflict fails the node, as before)', () => {
    assert.equal(land(task('a') + commit()).node.onConflict, undefined);
    assert.equal(land(task('a') + commit('    on_conflict: fail\n')).node.onConflict, undefined);
  });

  test('resolve: the integration role and the limit default to Software Engineer and 2', () => {
    const { node: n, findings } = land(task('a') + commit('    on_conflict: resolve\n'));
    assert.deepEqual(n.onConflict, { role: DEFAULTS.integrationRole, maxResolutions: DEFAULTS.maxResolutions });
    assert.deepEqual([DEFAULTS.integrationRole, DEFAULTS.maxResolutions], ['Software Engineer', 2]);
    assert.deepEqual(findings, []);
  });

  test('the node beats defaults:, which beats the engine', () => {
    const top = 'defaults:\n  on_conflict: resolve\n  integration_role: DevOps Engineer\n  max_resolutions: 4\n';
    assert.deepEqual(land(task('a') + commit(), top).node.onConflict, { role: 'DevOps Engineer', maxResolutions: 4 });
    const own = commit('    integration_role: Code Reviewer\n    max_resolutions: 1\n');
    assert.deepEqual(land(task('a') + own, top).node.onConflict, { role: 'Code Reviewer', maxResolutions: 1 });
    assert.equal(land(task('a') + commit('    on_conflict: fail\n'), top).node.onConflict, undefined);
  });

  test('bad values are errors at their line and column', () => {
    const { definition: def, findings } = load(
      task('a') + commit('    on_conflict: merge\n    max_resolutions: 0\n    integration_role: ""\n'),
    );
    assert.equal(def, undefined);
    const lines = findings.filter((f) => f.severity === 'error').map(formatFinding);
    assert.ok(
      lines.some((l) => /^c\.yaml:8:18: error: node "land": unknown value for `on_conflict` "merge"/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^c\.yaml:9:22: error: node "land": `max_resolutions` must be at least 1/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^c\.yaml:10:23: error: node "land": `integration_role` must not be empty/.test(l)),
      lines.join('\n'),
    );
  });

  test('keys the engine would not read are warnings at their line', () => {
    const onTask = land(task('a', '    on_conflict: resolve\n') + commit()).findings.map(formatFinding);
    assert.ok(
      onTask.some((l) => /c\.yaml:6:5: warning: node "a": `on_conflict` is ignored on a task node/.test(l)),
      onTask.join('\n'),
    );
    const unused = land(task('a') + commit('    max_resolutions: 3\n')).findings.map(formatFinding);
    assert.ok(
      unused.some((l) => /warning: node "land": `max_resolutions` is ignored: conflicts fail this commit node/.test(l)),
      unused.join('\n'),
    );
    const stranger = land(task('a') + commit('    on_conflict: resolve\n    integration_role: Merge Wizard\n')).findings;
    assert.ok(stranger.some((f) => f.code === 'unknown-role' && /integration_role "Merge Wizard"/.test(f.message)));
  });

  test('a hand-built definition with a bad limit is refused by the workflow-side checks', () => {
    const def = built(
      [node('a'), node('land', 'commit', { onConflict: { role: 'Software Engineer', maxResolutions: 0 } })],
      [
        ['', 'a', 'success'],
        ['a', 'land', 'success'],
        ['land', '', 'success'],
      ],
    );
    const errors = validateResolved(def).filter((f) => f.severity === 'error');
    assert.deepEqual(
      errors.map((f) => f.message),
      ['node "land": max_resolutions is 0'],
    );
  });
});
