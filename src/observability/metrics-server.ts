/**
 * The worker's one scrape target: `GET /metrics` answers Temporal's own series (workers, pollers,
 * workflow and activity counts, and beadflow's workflow-side metrics, all recorded by the SDK's
 * Runtime) followed by the process's prom-client registry (Node process metrics, worker info).
 *
 * Why one port: Core's Prometheus exporter can only bind its own address; serving it as it is
 * would make two scrape targets per worker and two ports to open. Core's exporter binds to a
 * loopback port nobody else needs to know, and this server appends it to prom-client's output.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { Registry, Gauge, collectDefaultMetrics } from 'prom-client';

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** prom-client's registry for this process: Node process metrics and `beadflow_worker_info`. */
export function createRegistry(info: Record<string, string> = {}): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'beadflow_' });
  const labels = Object.keys(info);
  const gauge = new Gauge({
    name: 'beadflow_worker_info',
    help: 'Always 1; labels describe this worker.',
    labelNames: labels,
    registers: [registry],
  });
  gauge.set(info, 1);
  return registry;
}

/** Fetches Core's Prometheus text; an empty answer (with a comment) when it is not up yet. */
async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return `# temporal sdk metrics unavailable: HTTP ${res.status}\n`;
    return await res.text();
  } catch (err) {
    return `# temporal sdk metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}

export async function startMetricsServer(opts: {
  port: number;
  host?: string;
  registry: Registry;
  /** Core's exporter (http://127.0.0.1:<port>/metrics), merged into every answer. */
  sdkUrl?: string;
}): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/metrics') {
      res.writeHead(url.pathname === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    void Promise.all([sdkMetrics(opts.sdkUrl), opts.registry.metrics()]).then(
      ([sdk, own]) => {
        const sep = sdk && !sdk.endsWith('\n') ? '\n' : '';
        res.writeHead(200, { 'content-type': opts.registry.contentType }).end(`${sdk}${sep}${own}`);
      },
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  return {
    url: `http://${shown}:${port}/metrics`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port free right now (for Core's exporter, which cannot report the port it bound). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
