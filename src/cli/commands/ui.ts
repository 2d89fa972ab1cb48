import type { Command } from 'commander';
import { defaultDefinitionDirs } from '../../dsl';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT, startUiServer } from '../../web/server';
import { loadUsers } from '../../web/users';
import { action } from '../action';
import { connectClient } from '../connection';
import { CliError, usageError } from '../errors';

interface UiFlags {
  port: string;
  host: string;
  users?: string;
  definitions?: string;
}

/** `beadflow ui`: beadflow's web page and its JSON API, in the foreground (Ctrl-C stops it). */
export function register(program: Command): void {
  program
    .command('ui')
    .description("beadflow's web page: beads, the bead's graph, decisions, inbox, definitions, analytics (docs/ui.md)")
    .option('--port <port>', 'port to listen on (0 = any free one)', String(DEFAULT_UI_PORT))
    .option('--host <address>', 'address to bind; beyond loopback, reads need a token too', DEFAULT_UI_HOST)
    .option('--users <file>', 'YAML list of {name, roles, token_sha256} who may decide (also BEADFLOW_UI_USERS)')
    .option('--definitions <dir>', 'extra directory of definitions (also BEADFLOW_DEFINITIONS)')
    .action(action((flags: UiFlags) => runUi(flags)));
}

async function runUi(flags: UiFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a port number (0-65535), not "${flags.port}"`);
  if (!flags.host.trim()) throw usageError('--host is empty', 'pass an address to bind, e.g. 127.0.0.1');
  const usersFile = flags.users ?? process.env.BEADFLOW_UI_USERS;
  const users = loadUsers(usersFile);
  const client = await connectClient();
  let server;
  try {
    server = await startUiServer({ client, users, definitionDirs: defaultDefinitionDirs(flags.definitions), host: flags.host, port });
  } catch (err) {
    await client.connection.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError((err as Error).message, { hint: 'pick another with --port, or stop what listens there' });
    }
    throw err;
  }
  const say = (line: string) => process.stderr.write(`ui: ${line}\n`);
  say(`serving ${server.url} (Ctrl-C to stop)`);
  say(
    users.size
      ? `${users.size} user(s) from ${usersFile} may decide`
      : 'no users file: the page is read-only (decisions answer 401); pass --users FILE, see docs/ui.md',
  );
  if (server.readsNeedToken) say(`bound to ${flags.host}, beyond loopback: reads need a token too`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await client.connection.close();
  say('stopped');
}
