// The bead page, /beads/<id>: the graph (current node highlighted, visited nodes and taken edges
// marked), the decision panel, the escalation record and the history, polled every second.
import { api, errorBox, h, put, statusBadge, token, when } from './dom.js';
import { graphSvg } from './svg.js';

export const POLL_MS = 1000;
const FINISHED_POLL_MS = 15_000;

export function beadView(main, beadId, onCleanup) {
  const head = h('section', { id: 'bead-head' });
  const graph = h('section', { id: 'bead-graph', class: 'graph-box' });
  const panel = h('section', { id: 'decision-panel' });
  const result = h('div', { id: 'decision-result', 'aria-live': 'polite' });
  const escalation = h('section', { id: 'escalation' });
  const timeline = h('section', { id: 'timeline' });
  put(main, head, h('div', { class: 'bead-grid' }, graph, h('div', {}, panel, result, escalation, timeline)));

  let panelKey = '';
  let lastStatus = '';
  let timer;
  let stopped = false;
  const stats = (window.__beadflow = window.__beadflow || {});

  async function refresh() {
    const { status, body } = await api(`/api/beads/${encodeURIComponent(beadId)}`);
    if (stopped) return;
    if (status !== 200) {
      put(head, h('h1', {}, beadId), errorBox(body));
      return;
    }
    render(body);
  }

  function render(d) {
    const b = d.bead;
    put(
      head,
      h('h1', {}, b.title || b.beadId, ' ', h('span', { class: 'muted' }, b.beadId)),
      h(
        'p',
        { class: 'facts' },
        statusBadge(b.status),
        h('span', { id: 'bead-status', 'data-status': b.status }, b.status),
        ' at ',
        h('code', { id: 'bead-node' }, b.currentNode || '-'),
        b.requiredRole ? ` · waiting on ${b.requiredRole}` : '',
        b.type ? ` · ${b.type}` : '',
        b.priority ? ` · ${b.priority}` : '',
        b.counts ? ` · attempt ${b.counts.attempts} · cycles ${b.counts.cycles} · dispatches ${b.counts.dispatches}` : '',
        d.definition ? ` · definition ${d.definition.id}${d.definition.source === 'catalog' ? ' (from the catalog)' : ''}` : '',
      ),
      d.note ? h('p', { class: 'warn' }, d.note) : null,
    );
    put(
      graph,
      d.graph
        ? graphSvg(d.graph)
        : h('p', { class: 'muted' }, 'no definition to draw (the run input is unreadable and the catalog has no such id)'),
    );
    graph.dataset.currentNode = b.currentNode || '';
    stats.renders = (stats.renders || 0) + 1;
    stats.lastNode = b.currentNode;
    stats.lastStatus = b.status;
    lastStatus = b.status;
    if (stats.loadedMs === undefined) stats.loadedMs = performance.now();
    renderPanel(d.pending, b);
    renderEscalation(d.state && d.state.escalation);
    renderTimeline((d.state && d.state.history) || []);
  }

  function renderPanel(p, b) {
    const key = `${p.kind}|${p.node || ''}|${b.status}`;
    if (key === panelKey) return; // keep what the person is typing
    panelKey = key;
    if (p.kind === 'none') {
      put(panel, h('p', { class: 'muted' }, 'nothing waits for a decision'));
      return;
    }
    const reason = h('textarea', { id: 'reason', rows: 2, placeholder: 'reason (required to reject or override)', maxlength: 2000 });
    const send = (action, extra = {}) => decide(action, reason.value, p.node, extra);
    const who = p.kind === 'override' ? 'the CEO' : p.approvers && p.approvers.length ? p.approvers.join(', ') : p.role || 'anyone';
    const buttons =
      p.kind === 'approval'
        ? [
            h('button', { id: 'approve', class: 'approve', onclick: () => send('approve') }, 'Approve'),
            h('button', { id: 'reject', class: 'reject', onclick: () => send('reject') }, 'Reject'),
          ]
        : [overrideControls(p, send)];
    put(
      panel,
      h('h2', {}, p.kind === 'approval' ? `Decision at ${p.node}` : `Escalated at ${p.node || '-'}: override`),
      h('p', { class: 'muted' }, `decided by ${who}`, token() ? '' : ' — sign in with your token first'),
      reason,
      h('div', { class: 'buttons' }, buttons),
    );
  }

  function overrideControls(p, send) {
    const options = p.options && p.options.length ? p.options : ['retry', 'goto', 'continue', 'abort'];
    const select = h(
      'select',
      { id: 'override-action' },
      options.map((o) => h('option', { value: o }, o)),
    );
    const node = h('input', { id: 'override-node', placeholder: 'node (for goto)' });
    const btn = h(
      'button',
      { id: 'override', onclick: () => send('override', { overrideAction: select.value, node: node.value || undefined }) },
      'Override',
    );
    return h('span', {}, select, node, btn);
  }

  async function decide(action, reason, node, extra) {
    if (action !== 'approve' && !reason.trim()) {
      showResult('refused', `a ${action} needs a reason: say why`);
      return;
    }
    const body = { action, reason, ...(node && action !== 'override' ? { node } : {}), ...extra };
    showResult('pending', `sending ${action}…`);
    const sentAt = performance.now();
    const { status, body: answer } = await api(`/api/beads/${encodeURIComponent(beadId)}/decisions`, { method: 'POST', body });
    stats.lastDecisionMs = performance.now() - sentAt;
    if (status === 200 && answer.accepted) {
      const r = answer.result;
      const edge = r.edge ? ` — took ${r.edge.from} → ${r.edge.to || '(end)'} (${r.edge.condition})` : '';
      showResult('accepted', `accepted: ${r.decision} ${r.node} as ${answer.by}${edge}; now ${r.status} at ${r.currentNode || '-'}`);
      stats.acceptedAt = performance.now();
      panelKey = '';
      await refresh();
    } else if (status === 202) {
      showResult('pending', answer.message);
    } else {
      const e = answer.error || {};
      showResult('refused', `refused (${status}): ${e.message || 'unknown'}${e.hint ? ` — ${e.hint}` : ''}`);
    }
  }

  function showResult(kind, text) {
    result.className = kind;
    result.dataset.kind = kind;
    result.textContent = text;
  }

  function renderEscalation(e) {
    if (!e) {
      put(escalation);
      return;
    }
    put(
      escalation,
      h('h2', {}, 'Escalation'),
      h(
        'p',
        {},
        `${e.node}: ${e.reason} — ${e.detail} (attempts ${e.attempts}, cycles ${e.cycles}, at ${when(new Date(e.at).toISOString())})`,
        e.childBeadId ? [' · CEO decision bead ', h('a', { href: `/beads/${encodeURIComponent(e.childBeadId)}` }, e.childBeadId)] : '',
        e.resolution ? ` · resolved: ${e.resolution}` : ' · open',
      ),
    );
  }

  function renderTimeline(history) {
    const rows = history
      .slice()
      .reverse()
      .map((x) =>
        h(
          'li',
          { class: `kind-${x.kind}` },
          h('span', { class: 'when' }, new Date(x.endedAt).toLocaleTimeString()),
          h('span', { class: 'kind' }, x.kind),
          h('code', {}, x.kind === 'move' ? `${x.node || '(start)'} → ${x.to || '(end)'} [${x.condition}]` : x.node || '-'),
          x.actor ? h('span', { class: 'actor' }, x.actor) : null,
          x.kind === 'move' ? null : h('span', { class: 'summary' }, x.summary),
        ),
      );
    put(timeline, h('h2', {}, `History (${history.length})`), h('ol', { class: 'timeline' }, rows));
  }

  async function loop() {
    await refresh();
    // A finished bead does not change: look again now and then only.
    const final = ['completed', 'failed', 'aborted', 'cancelled', 'terminated', 'timed_out'].includes(lastStatus);
    if (!stopped) timer = setTimeout(loop, final ? FINISHED_POLL_MS : POLL_MS);
  }
  void loop();
  onCleanup(() => {
    stopped = true;
    clearTimeout(timer);
  });
}
