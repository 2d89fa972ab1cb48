// Entry point: signs in (token in sessionStorage), routes by path, and draws the beads list and the inbox.
import { beadView } from './bead.js';
import { api, errorBox, h, put, setToken, statusBadge, token, when } from './dom.js';
import { analyticsView, definitionsView } from './views.js';

const main = document.getElementById('main');
let cleanup = () => {};
let me = null;

async function whoami() {
  const { body } = await api('/api/whoami');
  me = body && body.user;
  const who = document.getElementById('who');
  if (me) who.textContent = `${me.name} (${me.roles.join(', ')})`;
  else who.textContent = token() ? 'token not valid' : body && body.users === 0 ? 'read-only server' : 'not signed in';
}

document.getElementById('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = document.getElementById('token');
  setToken(input.value.trim());
  input.value = '';
  void whoami().then(route);
});
document.getElementById('token-clear').addEventListener('click', () => {
  setToken('');
  void whoami().then(route);
});

function route() {
  cleanup();
  cleanup = () => {};
  const path = location.pathname;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === path);
  const bead = /^\/beads\/(.+)$/.exec(path);
  if (bead) return beadView(main, decodeURIComponent(bead[1]), (fn) => (cleanup = fn));
  if (path === '/inbox') return inboxView();
  if (path === '/definitions') return definitionsView(main);
  if (path === '/analytics') return analyticsView(main);
  return listView();
}

function beadTable(beads) {
  if (!beads.length) return h('p', { class: 'muted', id: 'no-beads' }, 'no beads match');
  return h(
    'table',
    { class: 'beads' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Bead', 'Status', 'Node', 'Waiting on', 'Type', 'Priority', 'Started', 'Title'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      beads.map((b) =>
        h(
          'tr',
          { 'data-bead': b.beadId },
          h('td', {}, h('a', { href: `/beads/${encodeURIComponent(b.beadId)}` }, b.beadId)),
          h('td', {}, statusBadge(b.status)),
          h('td', {}, b.currentNode || '-'),
          h('td', {}, b.requiredRole || '-'),
          h('td', {}, b.type || '-'),
          h('td', {}, b.priority || '-'),
          h('td', {}, when(b.startTime)),
          h('td', {}, b.title),
        ),
      ),
    ),
  );
}

function listView() {
  const params = new URLSearchParams(location.search);
  const field = (name, placeholder, options) =>
    options
      ? h(
          'select',
          { name },
          h('option', { value: '' }, `${placeholder}: any`),
          options.map((o) => h('option', { value: o, selected: params.get(name) === o }, o)),
        )
      : h('input', { name, placeholder, value: params.get(name) || '' });
  const form = h(
    'form',
    { class: 'filters', id: 'filters' },
    field('status', 'status', ['running', 'waiting_approval', 'escalated', 'completed', 'failed', 'aborted', 'cancelled']),
    field('role', 'role'),
    field('type', 'type'),
    field('priority', 'priority', ['P0', 'P1', 'P2', 'P3', 'P4']),
    field('text', 'id or title'),
    h(
      'label',
      {},
      h('input', { type: 'checkbox', name: 'active', value: 'true', checked: params.get('active') === 'true' }),
      ' running only',
    ),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const list = h('div', { id: 'bead-list' });
  const more = h('div', {});
  put(main, h('h1', {}, 'Beads'), form, list, more);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.set(k, String(v));
    history.pushState(null, '', `/?${q}`);
    route();
  });
  const load = async (pageToken, replace) => {
    const q = new URLSearchParams(location.search);
    if (pageToken) q.set('nextPageToken', pageToken);
    const { status, body } = await api(`/api/beads?${q}`);
    if (status !== 200) return put(list, errorBox(body));
    if (replace) put(list, beadTable(body.beads));
    else list.append(beadTable(body.beads));
    put(more, body.nextPageToken ? h('button', { id: 'more', onclick: () => load(body.nextPageToken, false) }, 'More') : '');
  };
  void load(undefined, true);
  const timer = setInterval(() => {
    if (!more.querySelector('#more')) void load(undefined, true);
  }, 2000);
  cleanup = () => clearInterval(timer);
}

function inboxView() {
  const roles = me ? me.roles : [];
  const params = new URLSearchParams(location.search);
  const role = params.get('role') || roles[0] || '';
  const picker = h(
    'form',
    { class: 'filters' },
    h('input', { name: 'role', value: role, placeholder: 'role, e.g. Product Manager', list: 'my-roles' }),
    h(
      'datalist',
      { id: 'my-roles' },
      roles.map((r) => h('option', { value: r })),
    ),
    h('button', { type: 'submit' }, 'Show'),
  );
  picker.addEventListener('submit', (ev) => {
    ev.preventDefault();
    history.pushState(null, '', `/inbox?role=${encodeURIComponent(new FormData(picker).get('role') || '')}`);
    route();
  });
  const list = h('div', { id: 'inbox-list' });
  put(main, h('h1', {}, 'Inbox'), picker, list);
  if (!role) return put(list, h('p', { class: 'muted' }, 'sign in, or name a role, to see the beads waiting on it'));
  const load = async () => {
    const { status, body } = await api(`/api/beads?active=true&role=${encodeURIComponent(role)}&pageSize=200`);
    if (status !== 200) return put(list, errorBox(body));
    const waiting = body.beads.filter((b) => b.status === 'waiting_approval' || b.status === 'escalated');
    put(list, h('p', {}, `${waiting.length} bead(s) waiting on ${role}`), beadTable(waiting));
  };
  void load();
  const timer = setInterval(load, 2000);
  cleanup = () => clearInterval(timer);
}

document.addEventListener('click', (ev) => {
  const a = ev.target instanceof Element ? ev.target.closest('a[href^="/"]') : null;
  if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  ev.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  route();
});
window.addEventListener('popstate', route);
void whoami().then(route);
