/** Step-format files are recognised by shape and converted; problems are located findings, never "missing key". */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDefinitionFile, loadDefinitionText } from '../../src/dsl';
import { canonicalRole } from '../../src/shared/roles';

const PEERS = path.resolve(__dirname, '../../../shared/peers/multi-agent-machine-client');

describe('step format detection', () => {
  const files = readdirSync(PEERS).filter((f) => f.endsWith('.yml'));
  test('the peer files are there', () => assert.equal(files.length, 3));
  for (const name of files) {
    test(`${name}: recognised as the step format and converted, no errors`, () => {
      const { definition, findings } = loadDefinitionFile(path.join(PEERS, name));
      assert.deepEqual(
        findings.filter((f) => f.severity === 'error'),
        [],
      );
      assert.ok(definition, 'converted to a definition');
      assert.ok(!findings.some((f) => f.code === 'missing-key'));
    });
  }
  test('an unsupported step type is one located error naming it and the known types', () => {
    const text = 'name: x\nsteps:\n  - id: a\n    type: persona-request\n  - id: b\n    type: teleport\n';
    const { findings } = loadDefinitionText(text, 'x.yml');
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f!.code, 'step-type');
    assert.equal(f!.line, 6);
    assert.match(f!.message, /"b" has type "teleport"/);
    assert.match(f!.hint, /persona-request, parallel, git-operation/);
  });
  test('sub-steps of a parallel step are checked too', () => {
    const text = 'steps:\n  - id: p\n    type: parallel\n    steps:\n      - id: q\n        type: nope\n';
    const { findings } = loadDefinitionText(text, 'x.yml');
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [['step-type', 6]],
    );
  });
  test('a file that is neither format names both', () => {
    const { findings } = loadDefinitionText('name: x\ndescription: y\n', 'x.yml');
    assert.deepEqual(
      findings.map((f) => f.code),
      ['unknown-format'],
    );
    assert.match(findings[0]!.message, /neither a beadflow definition .* nor a step-format workflow/);
  });
});

describe('step-format personas resolve to known roles', () => {
  test('every persona the peer files name is a known role', () => {
    const personas = new Set<string>();
    for (const name of readdirSync(PEERS).filter((f) => f.endsWith('.yml'))) {
      const text = readFileSync(path.join(PEERS, name), 'utf8');
      for (const m of text.matchAll(/persona:\s*"?([\w-]+)"?/g)) personas.add(m[1]!);
    }
    assert.ok(personas.size >= 5, `found personas: ${[...personas].join(', ')}`);
    for (const p of personas) assert.ok(canonicalRole(p), `persona "${p}" has no role`);
    assert.equal(canonicalRole('lead-engineer'), 'Software Engineer');
    assert.equal(canonicalRole('security-review'), 'Code Reviewer');
  });
});
