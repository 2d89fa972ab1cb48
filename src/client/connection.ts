/** Where the Temporal server is (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE) and how "nobody listens there" reads. */
import { BeadflowError } from '../shared/errors';
import { GRPC_STATUS, grpcCodeOf } from './grpc';

export interface TemporalSettings {
  address: string;
  namespace: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
  };
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
