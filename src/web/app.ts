/** The web server's Hono app: JSON API under /api, the page everywhere else. Pure wiring; I/O comes in through the deps. */
import { Hono } from 'hono';
import type { ResolvedDefinition } from '../dsl/types';
import { BeadflowError } from '../shared/errors';
import { registerBeadRoutes } from './api-beads';
import type { AnalyticsAnswer } from './api-catalog';
import { registerCatalogRoutes } from './api-catalog';
import { registerDecisionRoutes } from './api-decisions';
import { fail, guardReads } from './http';
import type { BeadSource } from './source';
import { registerStatic } from './static';
import type { UserBook } from './users';

export interface UiDeps {
  source: BeadSource;
  users: UserBook;
  definitionDirs: string[];
  catalogDefinition(id: string): ResolvedDefinition | undefined;
  analytics(): Promise<AnalyticsAnswer>;
  /** True when bound beyond loopback: reads need a token too. */
  readsNeedToken: boolean;
  /** Where the page's files are (tests); default src/web/static. */
  staticDir?: string;
}

export function createApp(deps: UiDeps): Hono {
  const app = new Hono();
  app.use('/api/*', guardReads(deps.users, deps.readsNeedToken));
  app.get('/api/whoami', (c) => {
    const token = /^Bearer\s+(\S+)/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    const user = token ? deps.users.byToken(token) : undefined;
    return c.json({ user: user ?? null, users: deps.users.size, readsNeedToken: deps.readsNeedToken });
  });
  registerBeadRoutes(app, deps);
  registerDecisionRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  app.all('/api/*', (c) => fail(c, 404, `no API route ${c.req.method} ${c.req.path}`, 'see docs/ui.md for the API'));
  registerStatic(app, deps.staticDir);
  app.onError((err, c) => {
    if (err instanceof BeadflowError) return fail(c, err.kind === 'usage' ? 400 : 502, err.message, err.hint);
    const message = err instanceof Error ? err.message : String(err);
    const unreachable = /ECONNREFUSED|UNAVAILABLE|Failed to connect|deadline/i.test(message);
    if (unreachable) {
      return fail(c, 503, `cannot reach the Temporal server: ${message}`, 'start it with `npx beadflow server`, or set TEMPORAL_ADDRESS');
    }
    process.stderr.write(`ui: ${c.req.method} ${c.req.path} failed: ${err instanceof Error ? (err.stack ?? message) : message}\n`);
    return fail(c, 500, `the server failed: ${message}`, 'this is unexpected; the ui command prints the details on stderr');
  });
  return app;
}
