// The definitions page (files, findings, graphs) and the analytics view (ledger figures as bars).
import { api, errorBox, h, put } from './dom.js';
import { bars, graphSvg } from './svg.js';

export async function definitionsView(main) {
  const box = h('div', { id: 'definitions' });
  const graph = h('div', { id: 'definition-graph', class: 'graph-box' });
  put(main, h('h1', {}, 'Definitions'), box, graph);
  const { status, body } = await api('/api/definitions');
  if (status !== 200) return put(box, errorBox(body));
  const show = async (id) => {
    const r = await api(`/api/definitions/${encodeURIComponent(id)}`);
    put(graph, r.status === 200 ? [h('h2', {}, `${r.body.definition.name} (${id})`), graphSvg(r.body.graph)] : errorBox(r.body));
  };
  put(
    box,
    h('p', { class: 'muted' }, 'directories: ', body.dirs.map((d) => `${d.dir}${d.problem ? ` (${d.problem})` : ''}`).join(', ')),
    h(
      'table',
      { class: 'beads' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['File', 'Id', 'Type', 'Nodes', 'Edges', 'Findings'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        body.files.map((f) =>
          h(
            'tr',
            { class: f.errors ? 'has-errors' : '' },
            h('td', {}, f.file),
            h('td', {}, f.id ? h('a', { href: '#', onclick: (ev) => (ev.preventDefault(), show(f.id)) }, f.id) : '-'),
            h('td', {}, f.workflowType || '-', f.isDefault ? ' (default)' : ''),
            h('td', {}, f.nodes ?? '-'),
            h('td', {}, f.edges ?? '-'),
            h(
              'td',
              {},
              f.findings.length
                ? h(
                    'ul',
                    { class: 'findings' },
                    f.findings.map((x) => h('li', { class: x.severity }, x.text)),
                  )
                : h('span', { class: 'ok' }, 'valid'),
            ),
          ),
        ),
      ),
    ),
  );
}

const pct = (x) => (x === null || x === undefined ? '-' : `${Math.round(x * 100)}%`);

export async function analyticsView(main) {
  const box = h('div', { id: 'analytics' });
  put(main, h('h1', {}, 'Analytics'), box);
  const { status, body } = await api('/api/analytics');
  if (status !== 200) return put(box, errorBox(body));
  if (!body.configured) return put(box, h('div', { class: 'warn', id: 'no-ledger' }, body.message, h('div', { class: 'hint' }, body.hint)));
  const a = body.analytics;
  const types = [...a.byType, a.total];
  const section = (title, chart) => h('section', {}, h('h2', {}, title), chart);
  put(
    box,
    h('p', { class: 'muted' }, `ledger: ${body.where}`),
    section(
      'Runs per type',
      bars(types.map((t) => ({ label: t.workflow_type, value: t.executions, text: `${t.executions} (${t.active} active)` }))),
    ),
    section(
      'Completion rate (completed / ended)',
      bars(
        types.map((t) => ({ label: t.workflow_type, value: t.completion_rate || 0, text: pct(t.completion_rate) })),
        { max: 1 },
      ),
    ),
    section(
      'Escalation rate',
      bars(
        types.map((t) => ({ label: t.workflow_type, value: t.escalation_rate, text: pct(t.escalation_rate) })),
        { max: 1 },
      ),
    ),
    section(
      'Average duration (s)',
      bars(
        types.map((t) => ({
          label: t.workflow_type,
          value: t.avg_duration_s || 0,
          text: t.avg_duration_s === null ? '-' : `${t.avg_duration_s.toFixed(1)} s`,
        })),
      ),
    ),
    section(
      'Average dispatches',
      bars(types.map((t) => ({ label: t.workflow_type, value: t.avg_dispatch_count, text: t.avg_dispatch_count.toFixed(1) }))),
    ),
    a.cycles.length
      ? section(
          'Where beads loop (re-entries)',
          bars(a.cycles.map((c) => ({ label: `${c.workflow_type}/${c.node_key}`, value: c.reentries }))),
        )
      : null,
  );
}
