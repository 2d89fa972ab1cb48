import type { Client } from '@temporalio/client';
import { CliError } from './errors';

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

/** Connects, turning "nothing listens there" into an error that says what to start. */
export async function connectClient(settings = temporalSettings()): Promise<Client> {
  // Loaded on use: commands that never talk to Temporal (validate, graph) start faster.
  const { Client, Connection } = await import('@temporalio/client');
  try {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' });
    return new Client({ connection, namespace: settings.namespace });
  } catch (err) {
    throw describeConnectionError(err, settings) ?? err;
  }
}

export function describeConnectionError(err: unknown, settings = temporalSettings()): CliError | undefined {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  if (!/ECONNREFUSED|Failed to connect|TransportError|UNAVAILABLE|connect ETIMEDOUT|deadline/i.test(text)) return undefined;
  return new CliError(`cannot reach the Temporal server at ${settings.address} (namespace ${settings.namespace})`, {
    hint: 'start one with `npx beadflow server` (or `npm run demo`), or set TEMPORAL_ADDRESS to a running server',
  });
}
