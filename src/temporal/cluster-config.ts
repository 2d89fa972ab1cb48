/**
 * The cluster's configuration, pure apart from probing ports: the ports it takes (membership
 * ports below 32768, PostgreSQL stores them as SMALLINT; reused on restart), the PostgreSQL
 * target, and the server's, dynamic config's and UI server's files as text. cluster-server.ts
 * writes them and runs the processes.
 */
import * as net from 'node:net';
import { DYNAMIC_CONFIG } from './dev-server';
import type { ClusterTls } from './cluster-tls';
import { renderTlsSection, renderUiTls } from './cluster-tls';

export const DEFAULT_SHARDS = 4;
export const DEFAULT_CLUSTER_PORT = 7233;
export const DEFAULT_CLUSTER_UI_PORT = 8233;
/** Ports Temporal writes into `cluster_membership` (SMALLINT) must be below this. */
export const MAX_MEMBERSHIP_PORT = 32767;
export const ENV_NAME = 'beadflow';
export const RETENTION_SECONDS = 3 * 24 * 3600;

/**
 * Dynamic config beyond the dev server's task-queue read rates: namespaces and search attributes
 * visible within a second of being created (defaults: 10 s and a 60 s cache).
 */
export const CLUSTER_DYNAMIC_CONFIG: Record<string, unknown> = {
  ...Object.fromEntries(
    DYNAMIC_CONFIG.map((kv) => {
      const [k, v] = kv.split('=');
      return [k, Number(v)];
    }),
  ),
  'system.namespaceCacheRefreshInterval': '1s',
  'system.forceSearchAttributesCacheRefreshOnRead': true,
};

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port in [20000, 32767], not in `taken`. */
async function lowFreePort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * (MAX_MEMBERSHIP_PORT - 20000));
    if (!taken.has(port) && (await isFree(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port found between 20000 and ${MAX_MEMBERSHIP_PORT} for the cluster's internal services`);
}

export async function choosePorts(frontend: number, previous: ClusterPorts | undefined): Promise<ClusterPorts> {
  const taken = new Set<number>([frontend]);
  const keys: (keyof ClusterPorts)[] = [
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = { frontend } as ClusterPorts;
  for (const key of keys) {
    const old = previous?.[key];
    // Reuse the last ports: stale membership rows from a crashed run then point at the new process.
    if (old && old <= MAX_MEMBERSHIP_PORT && !taken.has(old) && (await isFree(old))) {
      taken.add(old);
      ports[key] = old;
    } else {
      ports[key] = await lowFreePort(taken);
    }
  }
  return ports;
}

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** URL of the maintenance database we connect to for CREATE DATABASE. */
  adminUrl: string;
}

export function parsePostgresUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--postgres-url is not a URL: expected postgres://user:password@host:port/database`);
  }
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error(`--postgres-url must start with postgres://, got ${u.protocol}//`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    adminUrl: url,
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** The server's YAML config (JSON strings are valid YAML scalars). */
export function renderServerConfig(o: {
  pg: PgTarget;
  databases: { main: string; visibility: string };
  shards: number;
  ports: ClusterPorts;
  dynamicConfigFile: string;
  logFile: string;
  logLevel: string;
  tls?: ClusterTls;
}): string {
  const store = (db: string, maxConns: number) =>
    [
      `      sql:`,
      `        pluginName: "postgres12"`,
      `        databaseName: ${yamlString(db)}`,
      `        connectAddr: ${yamlString(`${o.pg.host}:${o.pg.port}`)}`,
      `        connectProtocol: "tcp"`,
      `        user: ${yamlString(o.pg.user)}`,
      `        password: ${yamlString(o.pg.password)}`,
      `        maxConns: ${maxConns}`,
      `        maxIdleConns: ${maxConns}`,
      `        maxConnLifetime: "1h"`,
    ].join('\n');
  const service = (name: string, grpc: number, membership: number, http?: number) =>
    [
      `  ${name}:`,
      `    rpc:`,
      `      grpcPort: ${grpc}`,
      `      membershipPort: ${membership}`,
      `      bindOnLocalHost: true`,
      ...(http ? [`      httpPort: ${http}`] : []),
    ].join('\n');
  const p = o.ports;
  return `# Written by beadflow (server --cluster); rewritten on every start.
log:
  stdout: false
  level: ${o.logLevel}
  outputFile: ${yamlString(o.logFile)}

persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${o.shards}
  datastores:
    default:
${store(o.databases.main, 10)}
    visibility:
${store(o.databases.visibility, 4)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
${renderTlsSection(o.tls)}
services:
${service('frontend', p.frontend, p.frontendMembership, p.frontendHttp)}
${service('history', p.history, p.historyMembership)}
${service('matching', p.matching, p.matchingMembership)}
${service('worker', p.worker, p.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${p.frontend}"
      httpAddress: "127.0.0.1:${p.frontendHttp}"

dcRedirectionPolicy:
  policy: "noop"

archival:
  history:
    state: "disabled"
  visibility:
    state: "disabled"

namespaceDefaults:
  archival:
    history:
      state: "disabled"
    visibility:
      state: "disabled"

dynamicConfigClient:
  filepath: ${yamlString(o.dynamicConfigFile)}
  pollInterval: "10s"
`;
}

export function renderDynamicConfig(values: Record<string, unknown> = CLUSTER_DYNAMIC_CONFIG): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}:\n  - value: ${typeof v === 'string' ? yamlString(v) : String(v)}\n`)
    .join('');
}

export function renderUiConfig(frontend: number, uiPort: number, namespace: string, tls?: ClusterTls): string {
  return `# Written by beadflow (server --cluster).
temporalGrpcAddress: "127.0.0.1:${frontend}"
host: "127.0.0.1"
port: ${uiPort}
enableUi: true
defaultNamespace: ${yamlString(namespace)}
showTemporalSystemNamespace: false
notifyOnNewVersion: false
cors:
  unsafeAllowAllOrigins: true
${renderUiTls(tls)}`;
}

// ---------------------------------------------------------------------------------------------
// Schema
