/**
 * `beadflow ui`'s server: the Hono app over a Temporal client, the definitions directories, the
 * users file and the ledger, listening on 127.0.0.1 unless told otherwise.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { loadCatalog } from '../dsl';
import { createApp } from './app';
import type { AnalyticsAnswer } from './api-catalog';
import { ledgerAnalytics } from './ledger-analytics';
import { temporalSource } from './temporal-source';
import type { UserBook } from './users';

export const DEFAULT_UI_PORT = 8234;
export const DEFAULT_UI_HOST = '127.0.0.1';

export interface UiServerOptions {
  client: Client;
  users: UserBook;
  definitionDirs: string[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Replaces the ledger's analytics (tests). */
  analytics?: () => Promise<AnalyticsAnswer>;
}

export interface UiServer {
  url: string;
  port: number;
  host: string;
  readsNeedToken: boolean;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const host = opts.host ?? DEFAULT_UI_HOST;
  const readsNeedToken = !isLoopback(host);
  const ledger = ledgerAnalytics(opts.env);
  // The catalog is read again at most every few seconds: edits to definitions show without a restart.
  let catalog = { at: 0, value: loadCatalog(opts.definitionDirs) };
  const catalogDefinition = (id: string) => {
    if (Date.now() - catalog.at > 5_000) catalog = { at: Date.now(), value: loadCatalog(opts.definitionDirs) };
    return catalog.value.definitions.get(id);
  };
  const app = createApp({
    source: temporalSource(opts.client),
    users: opts.users,
    definitionDirs: opts.definitionDirs,
    catalogDefinition,
    analytics: opts.analytics ?? (() => ledger.answer()),
    readsNeedToken,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? Object.assign(new Error(`port ${opts.port ?? DEFAULT_UI_PORT} on ${host} is in use`), { code: err.code })
          : err,
      ),
    );
    server.listen(opts.port ?? DEFAULT_UI_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    host,
    readsNeedToken,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger.close();
    },
  };
}
