/** renderGraph: every node (key, type, role) and every edge (condition, priority), start and end. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDefinitionFile, loadDefinitionText, renderGraph, type GraphFormat, type ResolvedDefinition } from '../../src/dsl';
import { DEFAULT_IDS, DEFAULTS_DIR, LOOM_FILES } from './dsl-fixtures';

const FILES = [...LOOM_FILES, ...DEFAULT_IDS.map((id) => path.join(DEFAULTS_DIR, `${id}.yaml`))];

function edgeLines(text: string, format: GraphFormat): string[] {
  return text.split('\n').filter((l) => (format === 'dot' ? l.includes(' -> ') : /-\.?->/.test(l)));
}

describe('renderGraph', () => {
  for (const file of FILES) {
    for (const format of ['mermaid', 'dot'] as const) {
      test(`${path.relative(path.dirname(DEFAULTS_DIR), file)} as ${format}`, () => {
        const def = loadDefinitionFile(file).definition as ResolvedDefinition;
        const text = renderGraph(def, format);
        assert.match(text, format === 'dot' ? /^digraph "/ : /^flowchart TD\n/);
        assert.match(text, /__start\b.*start/);
        assert.match(text, /__end\b.*end/);
        for (const [i, node] of def.nodes.entries()) {
          const line = text.split('\n').find((l) => l.trimStart().startsWith(`n${i}`) && !/->/.test(l));
          assert.ok(line, `node ${node.key} missing`);
          for (const part of [node.key, node.type, node.role]) assert.ok(line.includes(part), `${part} not in ${line}`);
        }
        const edges = edgeLines(text, format);
        assert.equal(edges.length, def.edges.length);
        def.edges.forEach((e, i) => {
          assert.ok(edges[i].includes(`${e.condition} (${e.priority})`), edges[i]);
          assert.ok(edges[i].trimStart().startsWith(e.from === '' ? '__start' : 'n'), edges[i]);
          assert.ok(edges[i].includes(e.to === '' ? '__end' : 'n'), edges[i]);
        });
        if (format === 'dot') assert.equal(text.match(/{/g)?.length, text.match(/}/g)?.length);
      });
    }
  }

  test('quotes and odd characters in keys and roles are escaped', () => {
    const text =
      'id: "q\\"x"\nnodes:\n  - { node_key: "a\\"b<c>", node_type: task, role_required: "Say \\"hi\\"" }\n' +
      'edges:\n  - { from_node_key: "", to_node_key: "a\\"b<c>" }\n  - { from_node_key: "a\\"b<c>", to_node_key: "", condition: escalated }\n';
    const { definition: def } = loadDefinitionText(text, 'q.yaml');
    assert.ok(def);
    const mermaid = renderGraph(def, 'mermaid');
    assert.ok(mermaid.includes('a#quot;b#lt;c#gt;'), mermaid);
    const dot = renderGraph(def, 'dot');
    assert.ok(dot.includes('digraph "q\\"x"'), dot);
    assert.ok(dot.includes('a\\"b<c>'), dot);
  });
});
