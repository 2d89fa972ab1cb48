// Drawing: the definition graph (laid out by the server with dagre) and plain bar charts.
import { s } from './dom.js';

/** The graph as inline SVG: nodes are <g class="node" data-key>, edges <g class="edge" data-from data-to>. */
export function graphSvg(graph, onNode) {
  const pad = 8;
  const svg = s('svg', {
    class: 'graph',
    viewBox: `${-pad} ${-pad} ${graph.width + 2 * pad} ${graph.height + 2 * pad}`,
    width: graph.width + 2 * pad,
    role: 'img',
    'aria-label': 'definition graph',
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
        s('path', { d: 'M0,0L10,5L0,10z' }),
      ),
    ),
  );
  for (const e of graph.edges) {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
    const cls = ['edge', e.taken ? 'taken' : '', `cond-${e.condition}`].filter(Boolean).join(' ');
    const label = e.count > 1 ? `${e.condition} ×${e.count}` : e.condition;
    svg.append(
      s(
        'g',
        { class: cls, 'data-from': e.from, 'data-to': e.to, 'data-condition': e.condition },
        s('path', { d, 'marker-end': 'url(#arrow)' }),
        s('text', { x: e.label.x, y: e.label.y, 'text-anchor': 'middle' }, label),
      ),
    );
  }
  for (const n of graph.nodes) {
    const cls = ['node', `type-${n.type}`, n.current ? 'current' : '', n.visited ? 'visited' : ''].filter(Boolean).join(' ');
    const g = s('g', { class: cls, 'data-key': n.key, transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})` });
    if (n.type === 'start' || n.type === 'end') {
      g.append(s('circle', { cx: n.width / 2, cy: n.height / 2, r: n.width / 2 }));
      g.append(s('title', {}, n.type));
    } else {
      g.append(s('rect', { width: n.width, height: n.height, rx: n.type === 'approval' ? 16 : 4 }));
      g.append(s('text', { x: n.width / 2, y: 20, 'text-anchor': 'middle', class: 'key' }, n.key));
      g.append(s('text', { x: n.width / 2, y: 36, 'text-anchor': 'middle', class: 'role' }, `${n.type} · ${n.role || '-'}`));
      const counts = [n.entries ? `in ×${n.entries}` : '', n.turns ? `turns ×${n.turns}` : ''].filter(Boolean).join(' · ');
      if (counts) g.append(s('text', { x: n.width / 2, y: 49, 'text-anchor': 'middle', class: 'counts' }, counts));
      g.append(s('title', {}, `${n.key} (${n.type}, ${n.role || 'no role'})${n.current ? ' — current' : ''}`));
      if (onNode) g.addEventListener('click', () => onNode(n));
    }
    svg.append(g);
  }
  return svg;
}

/** Horizontal bars: rows of {label, value, text}; max = the scale's end (default: the largest value). */
export function bars(rows, { max, width = 420, unit = '' } = {}) {
  const top = max ?? Math.max(1e-9, ...rows.map((r) => r.value || 0));
  const rowH = 22;
  const labelW = 150;
  const svg = s('svg', { class: 'bars', width: labelW + width + 90, height: rows.length * rowH + 4, role: 'img' });
  rows.forEach((r, i) => {
    const y = i * rowH + 2;
    const w = top > 0 ? Math.max(0, ((r.value || 0) / top) * width) : 0;
    svg.append(
      s('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end' }, r.label),
      s('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, class: 'bar' }),
      s('text', { x: labelW + w + 6, y: y + 15 }, r.text ?? `${r.value}${unit}`),
    );
  });
  return svg;
}
