/** Loom's real files load unmodified, with only the warnings their known quirks deserve. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDefinitionFile } from '../../src/dsl';
import { LOOM_FILES } from './dsl-fixtures';

/** [code, line] of every finding expected per file; anything else fails the test. */
const EXPECTED: Record<string, Array<[string, number]>> = {
  'bug.yaml': [],
  // ceo_review's edges are commented out in Loom's file.
  // pm_plan has only a success route: a failure there escalates, which the author should know.
  'feature.yaml': [
    ['unreachable', 8],
    ['no-failure-route', 20],
  ],
  // Loom forced commit nodes onto Engineering Manager; the file says Web Designer.
  'ui.yaml': [['commit-role', 49]],
  'self-improvement.yaml': [],
};

describe("Loom's definitions (shared/peers/loom)", () => {
  for (const file of LOOM_FILES) {
    const name = path.basename(file);
    test(`${name} loads with only the expected warnings`, () => {
      const { definition, findings } = loadDefinitionFile(file);
      assert.ok(definition, `no definition: ${JSON.stringify(findings)}`);
      assert.deepEqual(
        findings.map((f) => [f.code, f.line]),
        EXPECTED[name],
      );
      assert.ok(findings.every((f) => f.severity === 'warning' && f.file === file && f.col > 0));
    });
  }

  test('bug.yaml resolves to the documented model', () => {
    const def = loadDefinitionFile(LOOM_FILES[0]).definition!;
    assert.equal(def.id, 'wf-bug-default');
    assert.equal(def.workflowType, 'bug');
    assert.equal(def.isDefault, true);
    assert.deepEqual(
      def.nodes.map((n) => [n.key, n.type, n.role, n.maxAttempts, n.timeoutMs]),
      [
        ['investigate', 'task', 'QA Engineer', 3, 60 * 60_000],
        ['pm_review', 'approval', 'Product Manager', 1, 120 * 60_000],
        ['apply_fix', 'task', 'Engineering Manager', 2, 30 * 60_000],
        ['commit_and_push', 'commit', 'Engineering Manager', 2, 15 * 60_000],
      ],
    );
    assert.deepEqual(def.nodes[1].approval, { approvers: ['Product Manager'], mode: 'any' });
    assert.equal(def.nodes[3].leaseMs, 5 * 60_000);
    assert.equal(def.edges.length, 11);
    assert.deepEqual(def.edges[0], { from: '', to: 'investigate', condition: 'success', priority: 100 });
    assert.equal(def.maxHops, 100);
    assert.equal(def.match, undefined);
  });

  test('ui.yaml: the commit node runs as Engineering Manager', () => {
    const def = loadDefinitionFile(LOOM_FILES[2]).definition!;
    assert.equal(def.nodes.find((n) => n.type === 'commit')?.role, 'Engineering Manager');
  });

  test('self-improvement.yaml: match_criteria and its priority are read', () => {
    const def = loadDefinitionFile(LOOM_FILES[3]).definition!;
    assert.equal(def.isDefault, false);
    assert.equal(def.match?.priority, 200);
    assert.deepEqual(def.match?.labels.slice(0, 2), ['self-improvement', 'code-review']);
    assert.ok(def.match?.titleKeywords.includes('[Refactor]'));
    assert.ok(def.match?.titleKeywords.includes('best practices'));
  });
});
