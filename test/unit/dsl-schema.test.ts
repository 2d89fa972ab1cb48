/** definitions/: the committed JSON Schema is fresh, the defaults are clean, the README examples hold. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatFinding, loadDefinitionFile, loadDefinitionText } from '../../src/dsl';
import { renderJsonSchema, SCHEMA_FILE } from '../../src/dsl/json-schema';
import { DEFAULT_IDS, DEFAULTS_DIR } from './dsl-fixtures';

describe('definitions/', () => {
  test('schema.json equals a fresh generation from the zod model (run `npm run schema`)', () => {
    assert.equal(SCHEMA_FILE, path.join(DEFAULTS_DIR, 'schema.json'));
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderJsonSchema());
  });

  test('schema.json describes the native keys and the extensions', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    const node = schema.properties.nodes.items;
    assert.deepEqual(schema.required, ['id', 'nodes', 'edges']);
    assert.deepEqual(node.required, ['node_key', 'node_type']);
    for (const key of ['timeout', 'retry', 'max_cycles', 'max_dispatches', 'approval', 'verify', 'lease', 'merge'])
      assert.ok(node.properties[key], key);
    for (const key of ['match_criteria', 'priority', 'defaults', 'escalation', 'max_hops', '$schema'])
      assert.ok(schema.properties[key], key);
    assert.deepEqual(schema.properties.edges.items.properties.condition.enum, [
      'success',
      'failure',
      'approved',
      'rejected',
      'timeout',
      'escalated',
    ]);
  });

  for (const id of DEFAULT_IDS) {
    test(`${id}.yaml: zero errors, zero warnings, id and workflow_type "${id}", points at the schema`, () => {
      const file = path.join(DEFAULTS_DIR, `${id}.yaml`);
      const { definition, findings } = loadDefinitionFile(file);
      assert.deepEqual(findings.map(formatFinding), []);
      assert.equal(definition?.id, id);
      assert.equal(definition?.workflowType, id);
      assert.match(readFileSync(file, 'utf8'), /^# yaml-language-server: \$schema=\.\/schema\.json\n/);
    });
  }

  test('bug.yaml has the agreed shape', () => {
    const def = loadDefinitionFile(path.join(DEFAULTS_DIR, 'bug.yaml')).definition!;
    assert.deepEqual(
      def.nodes.map((n) => [n.key, n.type, n.role]),
      [
        ['investigate', 'task', 'QA Engineer'],
        ['pm_review', 'approval', 'Product Manager'],
        ['apply_fix', 'task', 'Engineering Manager'],
        ['commit_and_push', 'commit', 'Engineering Manager'],
      ],
    );
    const route = (from: string, condition: string) => def.edges.find((e) => e.from === from && e.condition === condition)?.to;
    assert.equal(route('', 'success'), 'investigate');
    assert.equal(route('investigate', 'success'), 'pm_review');
    assert.equal(route('pm_review', 'approved'), 'apply_fix');
    assert.equal(route('pm_review', 'rejected'), 'investigate');
    assert.equal(route('apply_fix', 'success'), 'commit_and_push');
    assert.equal(route('commit_and_push', 'success'), '');
    assert.ok(def.nodes.every((n) => n.timeoutMs > 0));
  });

  test('every complete definition in README.md validates cleanly', () => {
    const readme = readFileSync(path.join(DEFAULTS_DIR, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^id: /m.test(b));
    assert.ok(blocks.length >= 2);
    for (const block of blocks) {
      const { definition, findings } = loadDefinitionText(block, 'README.md');
      assert.ok(definition, findings.map(formatFinding).join('\n'));
      assert.deepEqual(findings.map(formatFinding), []);
    }
  });
});
