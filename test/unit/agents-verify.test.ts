/** Verify nodes run the repository's own check, whatever agent the worker runs. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { AgentProvider } from '../../src/activities/agents/provider';
import { VerifyingProvider, withVerify } from '../../src/activities/agents/verify';
import type { AgentTurnResult } from '../../src/shared/agent';
import { fakeTurn, heartbeatPid, liveGroupMembers, script, tempDir, turnInput } from '../helpers/agents';
import { waitFor } from '../helpers/temporal';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.remove());

/** An agent that must not be asked: verify nodes with a command never reach it. */
class RecordingAgent implements AgentProvider {
  readonly name = 'recording';
  calls: string[] = [];
  runTurn(input: Parameters<AgentProvider['runTurn']>[0]): Promise<AgentTurnResult> {
    this.calls.push(input.node.key);
    return Promise.resolve({ outcome: 'success', summary: 'agent ran', agent: this.name });
  }
}

const verifyNode = (command: string[]) => ({ key: 'verify', type: 'verify', role: 'QA Engineer', verify: { command } });

describe('verify wrapper', () => {
  test('exit 0 → approved; runs in the worktree; the agent is not asked', async () => {
    const inner = new RecordingAgent();
    const p = withVerify(inner);
    const result = await p.runTurn(turnInput({ node: verifyNode(['sh', '-c', 'echo "ok in $(pwd)"']), worktree: tmp.dir }), fakeTurn().ctx);
    assert.equal(result.outcome, 'approved');
    assert.match(result.summary, new RegExp(`passed:\\nok in ${tmp.dir}`));
    assert.equal(result.agent, 'verify:sh -c echo "ok in $(pwd)"');
    assert.deepEqual(inner.calls, []);
  });

  test('non-zero exit → rejected with the last 40 lines of output as the summary', async () => {
    const failing = script(
      tmp.dir,
      'tests.sh',
      'i=1; while [ $i -le 100 ]; do echo "test $i"; i=$((i+1)); done\necho "FAIL: expected 90, got 10" >&2\nexit 1\n',
    );
    const result = await withVerify(new RecordingAgent()).runTurn(
      turnInput({ node: verifyNode([failing]), worktree: tmp.dir }),
      fakeTurn().ctx,
    );
    assert.equal(result.outcome, 'rejected');
    assert.match(result.summary, /exited 1; last output:/);
    assert.match(result.summary, /FAIL: expected 90, got 10/);
    // stdout and stderr are separate pipes, so only the window is certain, not the exact order.
    assert.match(result.summary, /\ntest 100\b/);
    assert.match(result.summary, /\ntest 62\n/);
    assert.doesNotMatch(result.summary, /\ntest 60\n/);
  });

  test('task nodes and verify nodes without a command go to the agent', async () => {
    const inner = new RecordingAgent();
    const p = withVerify(inner);
    await p.runTurn(turnInput(), fakeTurn().ctx);
    await p.runTurn(turnInput({ node: { key: 'review', type: 'verify', role: 'Code Reviewer' } }), fakeTurn().ctx);
    assert.deepEqual(inner.calls, ['investigate', 'review']);
  });

  test('wraps once', () => {
    const once = withVerify(new RecordingAgent());
    assert.equal(withVerify(once), once);
    assert.ok(once instanceof VerifyingProvider);
  });

  test('a verify command that runs too long is rejected and its group killed', async () => {
    const { ctx, heartbeats } = fakeTurn();
    const p = new VerifyingProvider(new RecordingAgent(), { timeoutMs: 400, killGraceMs: 200 });
    const result = await p.runTurn(turnInput({ node: verifyNode(['sh', '-c', 'echo running; sleep 300 & wait']), worktree: tmp.dir }), ctx);
    assert.equal(result.outcome, 'rejected');
    assert.match(result.summary, /timed out after \d+s; last output:\nrunning/);
    const pid = heartbeatPid(heartbeats)!;
    await waitFor(() => liveGroupMembers(pid).length === 0, { what: 'the verify command to be gone', timeoutMs: 3_000 });
  });

  test('a cancelled verify turn kills its group and throws CancelledFailure', async () => {
    const { ctx, controller, heartbeats, logs } = fakeTurn();
    const run = withVerify(new RecordingAgent()).runTurn(
      turnInput({ node: verifyNode(['sh', '-c', 'echo started; sleep 300 & wait']), worktree: tmp.dir }),
      ctx,
    );
    await waitFor(() => logs.some((l) => l.includes('verify stdout: started')), { what: 'the verify command to start' });
    controller.abort();
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
    assert.deepEqual(liveGroupMembers(heartbeatPid(heartbeats)!), []);
  });

  test('a verify command that cannot start is a non-retryable configuration error naming it', async () => {
    await assert.rejects(
      withVerify(new RecordingAgent()).runTurn(
        turnInput({ node: verifyNode(['no-such-test-runner', '--all']), worktree: tmp.dir }),
        fakeTurn().ctx,
      ),
      (err: unknown) =>
        err instanceof ApplicationFailure && err.type === 'AgentConfigurationError' && /cannot run no-such-test-runner/.test(err.message),
    );
  });

  test('without a worktree it says where it ran', async () => {
    const result = await withVerify(new RecordingAgent()).runTurn(turnInput({ node: verifyNode(['true']) }), fakeTurn().ctx);
    assert.equal(result.outcome, 'approved');
    assert.match(result.summary, /no worktree/);
  });
});
