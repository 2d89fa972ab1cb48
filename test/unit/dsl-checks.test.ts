/** validateResolved: the graph checks on a resolved definition, runnable inside workflow code. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateResolved } from '../../src/dsl/checks';
import { formatFinding } from '../../src/dsl/finding';
import { DEFAULTS, type ResolvedDefinition, type ResolvedEdge, type ResolvedNode } from '../../src/dsl/types';
import { ROOT } from './dsl-fixtures';

const node = (key: string, type: ResolvedNode['type'] = 'task', extra: Partial<ResolvedNode> = {}): ResolvedNode => ({
  key,
  type,
  role: type === 'commit' ? 'Engineering Manager' : 'QA Engineer',
  instructions: '',
  maxAttempts: 3,
  timeoutMs: 0,
  retry: { ...DEFAULTS.retry },
  maxCycles: 3,
  maxDispatches: 5,
  metadata: {},
  ...extra,
});
const e = (from: string, to: string, condition: ResolvedEdge['condition'] = 'success', priority = 0): ResolvedEdge => ({
  from,
  to,
  condition,
  priority,
});
const def = (nodes: ResolvedNode[], edges: ResolvedEdge[]): ResolvedDefinition => ({
  id: 'hand-built',
  name: 'hand-built',
  description: '',
  workflowType: 'x',
  isDefault: false,
  nodes,
  edges,
  maxHops: 20,
  escalation: { childBead: false },
});

describe('validateResolved (no source positions)', () => {
  test('a sound definition has no findings', () => {
    assert.deepEqual(validateResolved(def([node('a')], [e('', 'a'), e('a', ''), e('a', '', 'failure')])), []);
  });

  test('findings without a locator are at line 0 and format without a position', () => {
    const findings = validateResolved(def([node('a')], [e('', 'b'), e('a', '')]));
    assert.deepEqual(
      findings.map((f) => [f.code, f.line, f.col]),
      [['unknown-node', 0, 0]],
    );
    assert.equal(
      formatFinding(findings[0]).split('\n')[0],
      '<definition hand-built>: error: edge #1: to_node_key "b" is not a node of this definition',
    );
  });

  test('a locator places findings', () => {
    const findings = validateResolved(def([node('a')], [e('a', '')]), (p) => ({ line: p.length, col: 9 }));
    assert.deepEqual(
      findings.map((f) => [f.code, f.line, f.col]),
      [['no-start', 1, 9]],
    );
  });

  test('garbage input is one error, not a crash', () => {
    const findings = validateResolved({ id: 'x' } as unknown as ResolvedDefinition);
    assert.deepEqual(
      findings.map((f) => f.code),
      ['not-a-definition'],
    );
  });

  test('out-of-range settings of a hand-built definition', () => {
    const bad = node('a', 'task', { maxAttempts: -1, timeoutMs: Number.POSITIVE_INFINITY, maxCycles: 0 });
    const codes = validateResolved(def([bad], [e('', 'a'), e('a', ''), e('a', '', 'failure')])).map((f) => f.code);
    assert.deepEqual(codes, ['invalid-setting', 'invalid-setting', 'invalid-setting']);
  });

  test('a commit node with another role is flagged (the loader forces it; hand-built input may not)', () => {
    const commit = node('c', 'commit', { role: 'Web Designer' });
    assert.deepEqual(
      validateResolved(def([commit], [e('', 'c'), e('c', ''), e('c', '', 'failure')])).map((f) => f.code),
      ['commit-role'],
    );
  });

  test('fork and merge: a well-formed pair passes, a duplicate merge does not', () => {
    const nodes = [node('p', 'parallel'), node('a'), node('b'), node('m', 'merge', { merge: { fork: 'p', wait: 'all' } })];
    const edges = [
      e('', 'p'),
      e('p', 'a'),
      e('p', 'b'),
      e('a', 'm'),
      e('b', 'm'),
      e('a', '', 'failure'),
      e('b', '', 'failure'),
      e('m', ''),
    ];
    assert.deepEqual(validateResolved(def(nodes, edges)), []);
    const twice = [...nodes, node('m2', 'merge', { merge: { fork: 'p', wait: 'first' } })];
    const codes = validateResolved(def(twice, [...edges, e('m2', '')])).map((f) => f.code);
    assert.ok(codes.includes('duplicate-merge'), codes.join());
  });
});

describe('purity: checks.ts can run in Temporal workflow code', () => {
  test('its whole import closure is relative TS with no node, yaml or zod', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        assert.ok(spec.startsWith('.'), `${path.relative(ROOT, file)} imports "${spec}"`);
        visit(path.resolve(path.dirname(file), `${spec}.ts`));
      }
      assert.doesNotMatch(source, /\brequire\(|\bprocess\.|\bDate\.now\(|Math\.random\(/, path.relative(ROOT, file));
    };
    visit(path.join(ROOT, 'src/dsl/checks.ts'));
    assert.ok(seen.size >= 5);
  });
});
