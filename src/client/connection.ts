/**
 * Where the Temporal server is and how to reach it, by Temporal's own conventions
 * (`@temporalio/envconfig`): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS client
 * certificate and key, server CA and name, gRPC metadata, and profiles in the standard config file
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). So a worker or the CLI joins Temporal Cloud or a TLS
 * cluster the way the `temporal` CLI does. Also: how "nobody listens there" reads.
 */
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { BeadflowError } from '../shared/errors';
import { GRPC_STATUS, grpcCodeOf } from './grpc';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Everything else the profile says (TLS, API key, metadata): passed to Connection and NativeConnection alike. */
  connection: { address: string; tls?: TLSConfig | boolean; apiKey?: string; metadata?: Record<string, string> };
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  let loaded;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  } catch (err) {
    throw new BeadflowError(`cannot read the Temporal connection settings: ${(err as Error).message}`, {
      hint: 'check TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE and the TLS file paths (TEMPORAL_TLS_*)',
      kind: 'usage',
      cause: err,
    });
  }
  const o = loaded.connectionOptions;
  const address = o.address || 'localhost:7233';
  return {
    address,
    namespace: loaded.namespace || 'default',
    connection: {
      address,
      ...(o.tls !== undefined && o.tls !== null ? { tls: o.tls } : {}),
      ...(typeof o.apiKey === 'string' && o.apiKey ? { apiKey: o.apiKey } : {}),
      ...(o.metadata ? { metadata: o.metadata as Record<string, string> } : {}),
    },
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** The server cannot be reached: an RPC's UNAVAILABLE status, or a failed connect. */
export function isUnreachableServer(err: unknown): boolean {
  const code = grpcCodeOf(err);
  if (code !== undefined) return code === GRPC_STATUS.UNAVAILABLE;
  // Connection.connect and NativeConnection.connect fail with plain errors (no class, no status code): only their messages tell.
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /Failed to connect before the deadline|TransportError|ECONNREFUSED|connect ETIMEDOUT/i.test(text);
}

export function describeConnectionError(err: unknown, settings = temporalSettings()): BeadflowError | undefined {
  if (!isUnreachableServer(err)) return undefined;
  return new BeadflowError(`cannot reach the Temporal server at ${settings.address} (namespace ${settings.namespace})`, {
    hint: 'start one with `npx beadflow server` (or `npm run demo`), or set TEMPORAL_ADDRESS to a running server',
    cause: err,
  });
}
