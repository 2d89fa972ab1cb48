/**
 * The page: static files from src/web/static/ (no CDN, works offline). Every page path
 * (`/`, `/beads/<id>`, `/inbox`, ...) gets index.html; the script picks the view from the path.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';

export const STATIC_DIR = path.join(__dirname, 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Loaded once: a handful of small files, served from memory. */
function loadAssets(dir: string): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { body: readFileSync(path.join(dir, name), 'utf8'), type });
  }
  return assets;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function registerStatic(app: Hono, dir = STATIC_DIR): void {
  const assets = loadAssets(dir);
  const index = assets.get('index.html');
  if (!index) throw new Error(`the page's index.html is missing from ${dir}; reinstall beadflow`);
  const page = () =>
    new Response(index.body, { headers: { 'content-type': index.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS } });
  app.get('/static/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.text('not found', 404);
    return new Response(asset.body, { headers: { 'content-type': asset.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS } });
  });
  for (const p of ['/', '/inbox', '/definitions', '/analytics', '/beads/:id']) app.get(p, page);
}
