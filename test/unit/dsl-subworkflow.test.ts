/** Subworkflow nodes in definitions: the key loads; missing children, cycles and depth are located errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCatalog, loadDefinitionText, MAX_SUBWORKFLOW_DEPTH, pinSubworkflows, subworkflowFindings } from '../../src/dsl';
import type { ResolvedDefinition } from '../../src/dsl';
import { definitionProblems } from '../../src/workflows/guards';

/** A definition `id` whose node "sub" runs `childId` (or, without one, a plain task). */
function text(id: string, childId?: string): string {
  const node = childId
    ? `  - node_key: sub\n    node_type: subworkflow\n    subworkflow: { definition: ${childId} }\n`
    : `  - node_key: sub\n    node_type: task\n    role_required: QA Engineer\n`;
  return `id: ${id}\nnodes:\n${node}edges:\n  - { from_node_key: "", to_node_key: sub }\n  - { from_node_key: sub, to_node_key: "" }\n  - { from_node_key: sub, to_node_key: "", condition: failure }\n`;
}

function load(id: string, childId?: string): ResolvedDefinition {
  const { definition, findings } = loadDefinitionText(text(id, childId), `${id}.yaml`);
  assert.deepEqual(
    findings.filter((f) => f.severity === 'error'),
    [],
  );
  return definition!;
}

function lookupOf(defs: ResolvedDefinition[]) {
  const byId = new Map(defs.map((d) => [d.id, d]));
  return (id: string) => byId.get(id);
}

describe('subworkflow definitions', () => {
  test('the node loads with its child id', () => {
    const def = load('parent', 'child');
    assert.deepEqual(def.nodes[0]!.subworkflow, { definition: 'child' });
    assert.equal(def.nodes[0]!.type, 'subworkflow');
  });

  test('a subworkflow node without a definition is an error naming the node', () => {
    const { findings } = loadDefinitionText(text('p', 'x').replace('    subworkflow: { definition: x }\n', ''), 'p.yaml');
    const err = findings.find((f) => f.code === 'missing-subworkflow');
    assert.ok(err, JSON.stringify(findings));
    assert.match(err.message, /"sub"/);
    assert.ok(err.line > 0);
  });

  test('a missing child definition names the node and the id', () => {
    const found = subworkflowFindings(load('parent', 'nope'), lookupOf([]));
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'missing-subworkflow');
    assert.match(found[0]!.message, /node "sub".*"nope"/);
  });

  test('a definition that includes itself, directly or through others, is a cycle', () => {
    const self = load('a', 'a');
    assert.equal(subworkflowFindings(self, lookupOf([self]))[0]?.code, 'subworkflow-cycle');
    const defs = [load('a', 'b'), load('b', 'c'), load('c', 'a')];
    const found = subworkflowFindings(defs[0]!, lookupOf(defs));
    assert.equal(found[0]?.code, 'subworkflow-cycle');
    assert.match(found[0]!.message, /a → b → c, node "sub": definition "a" includes itself/);
  });

  test(`nesting deeper than ${MAX_SUBWORKFLOW_DEPTH} levels is an error; ${MAX_SUBWORKFLOW_DEPTH} is fine`, () => {
    const chain = (n: number) => Array.from({ length: n + 1 }, (_, i) => (i < n ? load(`d${i}`, `d${i + 1}`) : load(`d${i}`)));
    const ok = chain(MAX_SUBWORKFLOW_DEPTH);
    assert.deepEqual(subworkflowFindings(ok[0]!, lookupOf(ok)), []);
    const deep = chain(MAX_SUBWORKFLOW_DEPTH + 1);
    assert.equal(subworkflowFindings(deep[0]!, lookupOf(deep))[0]?.code, 'subworkflow-depth');
  });

  test('pinning embeds every level; the workflow refuses an unpinned child', () => {
    const defs = [load('a', 'b'), load('b', 'c'), load('c')];
    assert.match(definitionProblems(defs[0]!).join(), /child definition "b" is not pinned/);
    const pinned = pinSubworkflows(defs[0]!, lookupOf(defs));
    assert.deepEqual(Object.keys(pinned.subworkflows ?? {}).sort(), ['b', 'c']);
    assert.deepEqual(definitionProblems(pinned), []);
  });

  test('the catalog reports a missing child and a cycle across files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'subwf-'));
    try {
      writeFileSync(path.join(dir, 'p.yaml'), text('p', 'gone'));
      writeFileSync(path.join(dir, 'x.yaml'), text('x', 'y'));
      writeFileSync(path.join(dir, 'y.yaml'), text('y', 'x'));
      const codes = loadCatalog([dir]).findings.map((f) => `${f.code} ${f.file}`);
      assert.ok(codes.includes(`missing-subworkflow ${path.join(dir, 'p.yaml')}`), codes.join('\n'));
      assert.ok(
        codes.some((c) => c.startsWith('subworkflow-cycle')),
        codes.join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
