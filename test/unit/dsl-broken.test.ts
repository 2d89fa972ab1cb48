/** Each kind of broken definition gives exactly one error, of the right kind, at the right line. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFinding, loadDefinitionText, MAX_DEFINITION_BYTES } from '../../src/dsl';
import { A_TO_END, definition, edge, task } from './dsl-fixtures';

const approval = (key: string, extra = '') => `  - node_key: ${key}\n    node_type: approval\n    role_required: Product Manager\n${extra}`;
const parallel = (key: string) => `  - node_key: ${key}\n    node_type: parallel\n`;
const merge = (key: string, extra = '') => `  - node_key: ${key}\n    node_type: merge\n${extra}`;

/** name → [text, code, line of the error]. */
const ERRORS: Record<string, [string, string, number]> = {
  'YAML syntax (unclosed flow list)': ['id: t\nnodes: [a, b\nedges: []\n', 'yaml-syntax', 3],
  'YAML: tab indentation': ['id: t\nnodes:\n\t- a\n', 'yaml-syntax', 3],
  'YAML: duplicate key': ['id: t\nid: u\nnodes: []\nedges: []\n', 'yaml-syntax', 2],
  'not a mapping (a list)': ['- node_key: a\n- node_key: b\n', 'not-a-mapping', 1],
  'not a mapping (a string)': ['just some words\n', 'not-a-mapping', 1],
  'empty file': ['', 'empty-file', 1],
  'only comments': ['# nothing yet\n\n', 'empty-file', 1],
  'missing top-level key (edges)': ['id: t\nnodes:\n' + task('a'), 'missing-key', 1],
  'missing node key': [definition('  - node_type: task\n    role_required: QA Engineer\n', edge('', 'a')), 'missing-key', 3],
  'max_attempts: "three"': [definition(task('a', '    max_attempts: "three"\n'), A_TO_END), 'invalid-type', 6],
  'timeout_minutes: a list': [definition(task('a', '    timeout_minutes: [1]\n'), A_TO_END), 'invalid-type', 6],
  'nodes is a mapping': ['id: t\nnodes:\n  a: 1\nedges: []\n', 'invalid-type', 2],
  'max_cycles: 0': [definition(task('a', '    max_cycles: 0\n'), A_TO_END), 'invalid-value', 6],
  'bad duration': [definition(task('a', '    timeout: 5 minutes\n'), A_TO_END), 'invalid-duration', 6],
  'unknown node type': [definition('  - node_key: a\n    node_type: magic\n', A_TO_END), 'unknown-node-type', 4],
  'no node type': [definition('  - node_key: a\n    role_required: QA Engineer\n', A_TO_END), 'missing-key', 3],
  'unknown condition': [definition(task('a'), edge('', 'a') + edge('a', '') + edge('a', '', 'maybe')), 'unknown-condition', 9],
  'duplicate node keys': [definition(task('a') + task('a'), A_TO_END), 'duplicate-node-key', 6],
  'edge to an unknown node': [definition(task('a'), A_TO_END + edge('a', 'b', 'timeout')), 'unknown-node', 10],
  'edge from an unknown node': [definition(task('a'), A_TO_END + edge('b', 'a')), 'unknown-node', 10],
  'no start edge': [definition(task('a'), edge('a', '') + edge('a', '', 'failure')), 'no-start', 6],
  'two start edges': [
    definition(
      task('a') + task('b'),
      edge('', 'a') + edge('', 'b') + A_TO_END.split('\n').slice(1).join('\n') + edge('b', '') + edge('b', '', 'failure'),
    ),
    'multiple-starts',
    11,
  ],
  'no path to an end (a loop with no exit)': [
    definition(
      task('a') + task('b'),
      edge('', 'a') + edge('a', 'b') + edge('b', 'a') + edge('a', 'b', 'failure') + edge('b', 'a', 'failure'),
    ),
    'no-path-to-end',
    10,
  ],
  'a trap after a good start': [
    definition(task('a') + task('b'), A_TO_END + edge('a', 'b', 'timeout') + edge('b', 'b', 'failure')),
    'no-path-to-end',
    6,
  ],
  'approval with no approved route': [definition(approval('a'), edge('', 'a') + edge('a', '', 'rejected')), 'no-approved-route', 3],
  'merge without fork': [
    definition(task('a') + merge('m'), edge('', 'a') + edge('a', 'm') + edge('a', '', 'failure') + edge('m', '')),
    'merge-without-fork',
    6,
  ],
  'merge naming a task as its fork': [
    definition(
      task('a') + merge('m', '    merge: { fork: a }\n'),
      edge('', 'a') + edge('a', 'm') + edge('a', '', 'failure') + edge('m', ''),
    ),
    'merge-without-fork',
    8,
  ],
  'fork without merge': [
    definition(
      parallel('p') + task('a') + task('b'),
      edge('', 'p') + edge('p', 'a') + edge('p', 'b') + edge('a', '') + edge('b', '') + edge('a', '', 'failure') + edge('b', '', 'failure'),
    ),
    'fork-without-merge',
    3,
  ],
  'branch that skips its merge': [
    definition(
      parallel('p') + task('a') + task('b') + merge('m', '    merge: { fork: p }\n'),
      edge('', 'p') +
        edge('p', 'a') +
        edge('p', 'b') +
        edge('a', 'm') +
        edge('b', '') +
        edge('a', '', 'failure') +
        edge('b', '', 'failure') +
        edge('m', ''),
    ),
    'branch-skips-merge',
    17,
  ],
  'two edges tie on priority': [
    definition(task('a') + task('b'), A_TO_END + edge('b', '') + edge('b', '', 'failure') + edge('a', 'b', 'failure')),
    'ambiguous-route',
    15,
  ],
  'task without a role': [definition('  - node_key: a\n    node_type: task\n', A_TO_END), 'missing-role', 3],
};

describe('broken definitions', () => {
  for (const [name, [text, code, line]] of Object.entries(ERRORS)) {
    test(`${name} → ${code} at line ${line}`, () => {
      const { definition: def, findings } = loadDefinitionText(text, 'broken.yaml');
      const errors = findings.filter((f) => f.severity === 'error');
      assert.equal(def, undefined);
      assert.deepEqual(
        errors.map((f) => [f.code, f.line]),
        [[code, line]],
        findings.map(formatFinding).join('\n'),
      );
      const [error] = errors;
      assert.ok(error.col >= 1 && error.message.length > 10 && error.hint.length > 10);
    });
  }

  test('input over 1 MiB is refused before parsing', () => {
    const text = `id: t\n# ${'x'.repeat(MAX_DEFINITION_BYTES)}\n`;
    const { definition: def, findings } = loadDefinitionText(text, 'big.yaml');
    assert.equal(def, undefined);
    assert.deepEqual(
      findings.map((f) => f.code),
      ['too-large'],
    );
    assert.match(findings[0].message, /limited to 1 MiB/);
  });

  test('several problems are all reported, in line order', () => {
    const text = definition(task('a', '    max_attempts: "three"\n') + '  - node_key: b\n    node_type: nope\n', edge('', 'a'));
    const { findings } = loadDefinitionText(text, 'many.yaml');
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [
        ['invalid-type', 6],
        ['unknown-node-type', 8],
      ],
    );
  });
});

describe('warnings', () => {
  const warnings = (text: string) => {
    const { definition: def, findings } = loadDefinitionText(text, 'w.yaml');
    assert.ok(def, findings.map(formatFinding).join('\n'));
    return findings.map((f) => [f.code, f.line]);
  };

  test('unknown keys, at their own line, with a spelling suggestion', () => {
    const text = definition(task('a', '    timout: 5m\n'), A_TO_END, 'colour: red\n');
    const { findings } = loadDefinitionText(text, 'w.yaml');
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [
        ['ignored-key', 2],
        ['ignored-key', 7],
      ],
    );
    assert.match(findings[1].hint, /did you mean `timeout`/);
  });

  test('type-specific keys on the wrong node type, and timeout_minutes shadowed by timeout', () => {
    const text = definition(task('a', '    approval: { mode: human }\n    timeout: 1h\n    timeout_minutes: 30\n'), A_TO_END);
    assert.deepEqual(warnings(text), [
      ['ignored-key', 6],
      ['ignored-key', 8],
    ]);
  });

  test('commit node with another role', () => {
    const text = definition(
      '  - node_key: c\n    node_type: commit\n    role_required: Web Designer\n',
      edge('', 'c') + edge('c', '') + edge('c', '', 'failure'),
    );
    assert.deepEqual(warnings(text), [['commit-role', 5]]);
  });

  test('unreachable node: one warning, not a pile of route warnings too', () => {
    const text = definition(task('a') + approval('lonely'), A_TO_END);
    assert.deepEqual(warnings(text), [['unreachable', 6]]);
  });

  test('no failure route: warned on tasks, not on judged approvals or explicit escalations', () => {
    const nodes = task('a') + task('b') + approval('c') + task('d');
    const edges =
      edge('', 'a') +
      edge('a', 'b') +
      edge('b', 'c') +
      edge('b', '', 'escalated') +
      edge('c', 'd', 'approved') +
      edge('c', 'a', 'rejected') +
      edge('d', '');
    assert.deepEqual(warnings(definition(nodes, edges)), [
      ['no-failure-route', 3],
      ['no-failure-route', 12],
    ]);
  });

  test('a verdict edge out of a task node never fires', () => {
    const text = definition(task('a'), A_TO_END + edge('a', '', 'approved'));
    assert.deepEqual(warnings(text), [['condition-never-fires', 10]]);
  });

  test('unknown role, duplicate edge, timeout edge on a node with no timeout', () => {
    const text = definition(task('a').replace('QA Engineer', 'QA Enginer'), A_TO_END + edge('a', '') + edge('a', '', 'timeout'));
    assert.deepEqual(warnings(text), [
      ['unknown-role', 5],
      ['duplicate-edge', 10],
      ['timeout-never-fires', 11],
    ]);
  });
});
