// Small DOM and API helpers shared by the views. No innerHTML with data: text goes in as text nodes.

/** h('div', {class: 'x', onclick: f}, child, 'text', ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) setAttr(el, k, v);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) setAttr(el, k, v);
  append(el, children);
  return el;
}

function setAttr(el, k, v) {
  if (v === undefined || v === null || v === false) return;
  if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
  else el.setAttribute(k, v === true ? '' : String(v));
}

/** Replaces el's children; null, undefined and false are skipped (replaceChildren would print "null"). */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const TOKEN_KEY = 'beadflow.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** fetch JSON from the API; resolves {status, body}; never throws on HTTP errors. */
export async function api(path, opts = {}) {
  const headers = { accept: 'application/json' };
  if (token()) headers.authorization = `Bearer ${token()}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method: opts.method || 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (err) {
    return {
      status: 0,
      body: { error: { message: `the beadflow ui server does not answer (${err.message})`, hint: 'is `beadflow ui` running?' } },
    };
  }
  let body;
  try {
    body = await res.json();
  } catch {
    body = { error: { message: `the server answered ${res.status} without JSON` } };
  }
  return { status: res.status, body };
}

export function errorBox(body) {
  const e = (body && body.error) || { message: 'unknown error' };
  return h('div', { class: 'error' }, e.message, e.hint ? h('div', { class: 'hint' }, e.hint) : null);
}

export function when(iso) {
  if (!iso) return '-';
  const d = new Date(iso);
  return d.toLocaleString();
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, status || '-');
}
