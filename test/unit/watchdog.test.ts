/** The watchdog ends a child once its parent is gone, even by SIGKILL; a child that ignores SIGTERM gets SIGKILL after the grace. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { killWhenParentDies } from '../../src/temporal/watchdog';
import { pidAlive } from '../../src/system/process';
import { waitFor } from '../helpers/temporal';

const started: ChildProcess[] = [];
function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  started.push(child);
  return child;
}
const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
after(() => started.forEach((c) => !exited(c) && c.kill('SIGKILL')));

describe('killWhenParentDies', () => {
  test('the parent killed with SIGKILL: the child gets SIGTERM', async () => {
    const parent = start('sleep', ['60']);
    const child = start('sleep', ['60']);
    killWhenParentDies(child.pid!, { parentPid: parent.pid, graceSeconds: 5, pollSeconds: 0.2 });
    parent.kill('SIGKILL');
    await waitFor(() => exited(child), { timeoutMs: 10_000, what: 'the child to end' });
    assert.equal(child.signalCode, 'SIGTERM');
  });

  test('a child that ignores SIGTERM is killed after the grace', async () => {
    const parent = start('sleep', ['60']);
    const child = spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(child);
    await new Promise((resolve) => child.stdout!.once('data', resolve)); // the trap is in place
    killWhenParentDies(child.pid!, { parentPid: parent.pid, graceSeconds: 1, pollSeconds: 0.2 });
    parent.kill('SIGKILL');
    await waitFor(() => exited(child), { timeoutMs: 15_000, what: 'the child to end' });
    assert.equal(child.signalCode, 'SIGKILL');
  });

  test('the watchdog ends by itself when the child ends first, and never touches a live parent', async () => {
    const parent = start('sleep', ['60']);
    const child = start('sleep', ['60']);
    killWhenParentDies(child.pid!, { parentPid: parent.pid, pollSeconds: 0.2 });
    child.kill('SIGTERM');
    await waitFor(() => exited(child), { what: 'the child to end' });
    assert.ok(pidAlive(parent.pid!));
  });
});
