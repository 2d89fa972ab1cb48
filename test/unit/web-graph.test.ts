/** The bead graph: dagre positions every node and edge; history marks visits, taken edges and loop counts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryEntry } from '../../src/interpreter/types';
import { beadGraph, END, START } from '../../src/web/graph';
import { humanReview } from '../fixtures/definitions';

function move(seq: number, node: string, to: string, condition: HistoryEntry['condition']): HistoryEntry {
  return { seq, kind: 'move', node, to, condition, endedAt: seq, summary: '' };
}

describe('beadGraph', () => {
  test('a rejected review loops back: the edge counts twice, the node was entered twice', () => {
    const history = [
      move(1, '', 'investigate', 'success'),
      move(2, 'investigate', 'pm_review', 'success'),
      move(3, 'pm_review', 'investigate', 'rejected'),
      move(4, 'investigate', 'pm_review', 'success'),
    ];
    const g = beadGraph(humanReview(), history, ['pm_review']);
    const edge = (from: string, to: string, condition: string) =>
      g.edges.find((e) => e.from === from && e.to === to && e.condition === condition)!;
    assert.equal(edge('investigate', 'pm_review', 'success').count, 2);
    assert.equal(edge('pm_review', 'investigate', 'rejected').count, 1);
    assert.equal(edge('pm_review', 'apply_fix', 'approved').taken, false);
    const byKey = new Map(g.nodes.map((n) => [n.key, n]));
    assert.equal(byKey.get('investigate')!.entries, 2);
    assert.equal(byKey.get('pm_review')!.current, true);
    assert.equal(byKey.get('apply_fix')!.visited, false);
    assert.ok(byKey.has(START) && byKey.has(END), 'start and end are drawn');
  });

  test('every node has a position inside the drawing, every edge a path', () => {
    const g = beadGraph(humanReview(), [], []);
    for (const n of g.nodes) {
      assert.ok(n.x - n.width / 2 >= 0 && n.x + n.width / 2 <= g.width, `${n.key} inside horizontally`);
      assert.ok(n.y - n.height / 2 >= 0 && n.y + n.height / 2 <= g.height, `${n.key} inside vertically`);
    }
    for (const e of g.edges) assert.ok(e.points.length >= 2, `${e.from}→${e.to} has a path`);
    assert.ok(g.nodes.every((n) => !n.current && !n.visited));
  });
});
