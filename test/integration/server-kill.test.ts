/** `beadflow server` killed with SIGKILL takes its Temporal server with it: no orphan keeps the port. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { isPortOpen } from '../../src/system/port';
import { pidAlive } from '../../src/system/process';
import { freePort } from '../helpers/postgres';
import { testTemporalBinary, waitFor } from '../helpers/temporal';

const BIN = path.resolve(__dirname, '../../bin/beadflow.js');

/** Direct children of `pid` as [pid, command line]. */
function children(pid: number): Array<[number, string]> {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out
    ? out
        .split('\n')
        .map((l) => l.trim().split(/\s+(.*)/s) as [string, string])
        .map(([p, args]) => [Number(p), args])
    : [];
}

test('SIGKILL of beadflow server: its Temporal server stops within seconds', async () => {
  const bin = await testTemporalBinary();
  assert.ok('path' in bin && bin.path, 'a temporal CLI binary');
  const [port, uiPort] = [await freePort(), await freePort()];
  const server = spawn(process.execPath, [BIN, 'server', '--in-memory', '--port', String(port), '--ui-port', String(uiPort)], {
    env: { ...process.env, TEMPORAL_CLI: bin.path },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let temporalPid: number | undefined;
  try {
    await waitFor(() => stderr.includes('server: ready:'), { timeoutMs: 90_000, what: `the server to be ready; output: ${stderr}` });
    temporalPid = children(server.pid!).find(([, args]) => args.startsWith(bin.path!))?.[0];
    assert.ok(temporalPid, `a temporal child of ${server.pid}: ${JSON.stringify(children(server.pid!))}`);
    server.kill('SIGKILL');
    await waitFor(() => !pidAlive(temporalPid!), { timeoutMs: 20_000, what: `temporal (pid ${temporalPid}) to stop` });
    await waitFor(async () => !(await isPortOpen('127.0.0.1', port)), { timeoutMs: 5_000, what: `port ${port} to be free` });
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    if (temporalPid && pidAlive(temporalPid)) process.kill(temporalPid, 'SIGKILL');
  }
});
