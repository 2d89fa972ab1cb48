/** Extensions and defaults: what the YAML says becomes the resolved model, in ms, every default applied. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, formatDuration, formatFinding, loadDefinitionText, parseDuration, type ResolvedDefinition } from '../../src/dsl';
import { A_TO_END, definition, edge, task } from './dsl-fixtures';

function load(text: string): ResolvedDefinition {
  const { definition: def, findings } = loadDefinitionText(text, 'r.yaml');
  assert.ok(def, findings.map(formatFinding).join('\n'));
  assert.deepEqual(findings, [], findings.map(formatFinding).join('\n'));
  return def;
}

describe('durations', () => {
  test('units, compounds and "0"', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1m30s500ms'), 90_500);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['', '5', '5 m', '1m1h', '1.5h', 'h', '-5m', '5mm']) assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(formatDuration(5_400_000), '1h30m');
  });
});

describe('resolving', () => {
  test('every default applied to a bare node', () => {
    const def = load(definition(task('a'), A_TO_END));
    assert.deepEqual(def.nodes[0], {
      key: 'a',
      type: 'task',
      role: 'QA Engineer',
      instructions: '',
      maxAttempts: DEFAULTS.maxAttempts,
      timeoutMs: 0,
      retry: DEFAULTS.retry,
      maxCycles: DEFAULTS.maxCycles,
      maxDispatches: DEFAULTS.maxDispatches,
      roleWaitMs: DEFAULTS.roleWaitMs,
      maxToolCalls: DEFAULTS.maxToolCalls,
      maxTokens: DEFAULTS.maxTokens,
      metadata: {},
    });
    assert.equal(def.name, 't');
    assert.equal(def.workflowType, 't');
    assert.equal(def.isDefault, false);
    assert.equal(def.maxHops, DEFAULTS.maxHops);
    assert.deepEqual(def.escalation, { childBead: false });
    assert.equal(def.source, 'r.yaml');
  });

  test('model agent limits and test_command: the node beats defaults:, which beats the engine', () => {
    const yaml = `id: t\nname: t\nworkflow_type: t\ndefaults: { max_tool_calls: 7, test_command: [npm, test] }\nnodes:\n  - { node_key: a, node_type: task, role_required: QA, max_tokens: 900 }\n  - { node_key: b, node_type: task, role_required: QA, max_tool_calls: 2, test_command: [make, check] }\nedges:\n  - { from_node_key: "", to_node_key: a }\n  - { from_node_key: a, to_node_key: b }\n  - { from_node_key: b, to_node_key: "" }\n  - { from_node_key: a, to_node_key: "", condition: failure }\n  - { from_node_key: b, to_node_key: "", condition: failure }\n`;
    const def = load(yaml);
    assert.deepEqual(
      def.nodes.map((n) => [n.maxToolCalls, n.maxTokens, n.testCommand]),
      [
        [7, 900, ['npm', 'test']],
        [2, DEFAULTS.maxTokens, ['make', 'check']],
      ],
    );
  });

  test('edge condition defaults to success, priority to 0', () => {
    const def = load(
      definition(
        task('a'),
        '  - { from_node_key: "", to_node_key: a }\n  - { from_node_key: a, to_node_key: "" }\n  - { from_node_key: a, to_node_key: "", condition: failure }\n',
      ),
    );
    assert.deepEqual(def.edges[1], { from: 'a', to: '', condition: 'success', priority: 0 });
  });

  test('timeout beats timeout_minutes; node beats defaults; defaults beat the engine', () => {
    const top =
      'max_hops: 7\nescalation: { child_bead: true }\ndefaults:\n  timeout_minutes: 10\n  max_attempts: 5\n  retry: { initial: 5s, max: 2m }\n  max_cycles: 2\n  max_dispatches: 9\n  lease: 3m\n';
    const nodes =
      task('a', '    timeout: 1h30m\n    timeout_minutes: 90\n    retry: { coefficient: 3 }\n    max_attempts: 0\n') +
      task('b') +
      '  - node_key: c\n    node_type: commit\n    lease: 45s\n    max_cycles: 6\n';
    const edges =
      edge('', 'a') +
      edge('a', 'b') +
      edge('a', '', 'failure') +
      edge('b', 'c') +
      edge('b', '', 'failure') +
      edge('c', '') +
      edge('c', 'b', 'failure');
    const def = load(definition(nodes, edges, top));
    const [a, b, c] = def.nodes;
    assert.equal(a.timeoutMs, 90 * 60_000);
    assert.equal(a.maxAttempts, 0);
    assert.deepEqual(a.retry, { initialMs: 5_000, coefficient: 3, maxMs: 120_000 });
    assert.equal(b.timeoutMs, 10 * 60_000);
    assert.equal(b.maxAttempts, 5);
    assert.deepEqual(b.retry, { initialMs: 5_000, coefficient: 2, maxMs: 120_000 });
    assert.equal(b.maxDispatches, 9);
    assert.equal(b.leaseMs, undefined);
    assert.equal(c.role, 'Engineering Manager');
    assert.equal(c.leaseMs, 45_000);
    assert.equal(c.maxCycles, 6);
    assert.equal(def.maxHops, 7);
    assert.deepEqual(def.escalation, { childBead: true });
  });

  test('approval filled in: approvers default to the role, [] = anyone, mode any', () => {
    const approval = (key: string, extra = '') => `  - node_key: ${key}\n    node_type: approval\n${extra}`;
    const nodes =
      approval('a', '    role_required: Product Manager\n') +
      approval('b', '    approval: { approvers: [], mode: human }\n') +
      approval('c', '    approval: { approvers: [CEO, alice] }\n');
    const route = (k: string, next: string) => edge(k, next, 'approved') + edge(k, '', 'rejected');
    const def = load(definition(nodes, edge('', 'a') + route('a', 'b') + route('b', 'c') + route('c', '')));
    assert.deepEqual(
      def.nodes.map((n) => n.approval),
      [
        { approvers: ['Product Manager'], mode: 'any' },
        { approvers: [], mode: 'human' },
        { approvers: ['CEO', 'alice'], mode: 'any' },
      ],
    );
  });

  test('verify command, parallel fork and merge join', () => {
    const nodes =
      '  - { node_key: fork, node_type: parallel }\n' +
      task('a') +
      '  - node_key: check\n    node_type: verify\n    verify: { command: [npm, test, "--", --grep, x] }\n' +
      '  - { node_key: join, node_type: merge, merge: { fork: fork, wait: first } }\n';
    const edges =
      edge('', 'fork') +
      edge('fork', 'a') +
      edge('fork', 'check') +
      edge('a', 'join') +
      edge('a', '', 'failure') +
      edge('check', 'join', 'approved') +
      edge('check', '', 'rejected') +
      edge('join', '');
    const def = load(definition(nodes, edges));
    assert.deepEqual(def.nodes[2].verify, { command: ['npm', 'test', '--', '--grep', 'x'] });
    assert.equal(def.nodes[2].role, 'QA Engineer', 'a verify node that only runs a command runs on the QA queue');
    assert.deepEqual(def.nodes[3].merge, { fork: 'fork', wait: 'first' });
  });

  test('match_criteria and top-level priority', () => {
    const top = 'priority: 7\nmatch_criteria:\n  labels: [a]\n  title_keywords: ["[X]"]\n';
    assert.deepEqual(load(definition(task('a'), A_TO_END, top)).match, { labels: ['a'], titleKeywords: ['[X]'], priority: 7 });
    assert.deepEqual(load(definition(task('a'), A_TO_END, 'priority: 3\n')).match, { labels: [], titleKeywords: [], priority: 3 });
  });

  test('$schema is allowed; metadata passes through; the result is plain JSON', () => {
    const def = load(definition(task('a', '    metadata: { team: core, tags: [x, y], n: 1 }\n'), A_TO_END, '$schema: ./schema.json\n'));
    assert.deepEqual(def.nodes[0].metadata, { team: 'core', tags: ['x', 'y'], n: 1 });
    assert.deepEqual(JSON.parse(JSON.stringify(def)), def);
  });
});
