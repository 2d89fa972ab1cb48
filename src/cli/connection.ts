import type { Client } from '@temporalio/client';
import { describeConnectionError, temporalSettings } from '../client/connection';

export { describeConnectionError, temporalSettings, type TemporalSettings } from '../client/connection';

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
