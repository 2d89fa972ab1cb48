/** The command agent and the process runner under it: answers, exit codes, bounds, kills. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import { runProcess } from '../../src/activities/agents/run-process';
import { fakeTurn, heartbeatPid, liveGroupMembers, script, tempDir, turnInput } from '../helpers/agents';
import { waitFor } from '../helpers/temporal';

const personas = loadPersonas();
let tmp: ReturnType<typeof tempDir>;

before(() => {
  tmp = tempDir();
});
after(() => tmp.remove());

const agent = (body: string, extra: Partial<ConstructorParameters<typeof CommandAgent>[0]> = {}) =>
  new CommandAgent({ command: script(tmp.dir, `agent-${Math.random().toString(36).slice(2)}.sh`, body), personas, ...extra });

describe('command agent answers', () => {
  test('JSON on the last stdout line is the result; it runs in the worktree with the prompt on stdin and the turn in its env', async () => {
    const worktree = tempDir('beadflow-worktree-');
    try {
      const a = agent(
        'cat > prompt.txt\necho "thinking..."\necho "{\\"outcome\\": \\"success\\", \\"summary\\": \\"$BEAD_ID $NODE_KEY $ROLE $ATTEMPT $(pwd)\\"}"\n',
      );
      const { ctx } = fakeTurn();
      const result = await a.runTurn(turnInput({ worktree: worktree.dir, attempt: 2, feedback: 'cover the zero case' }), ctx);
      assert.equal(result.outcome, 'success');
      assert.equal(result.summary, `bead-test-1 investigate QA Engineer 2 ${worktree.dir}`);
      assert.match(result.agent, /^command:.*agent-.*\.sh$/);
      const prompt = readFileSync(path.join(worktree.dir, 'prompt.txt'), 'utf8');
      assert.match(prompt, /You are the QA Engineer/);
      assert.match(prompt, /cover the zero case/);
    } finally {
      worktree.remove();
    }
  });

  test('"redispatch": true hands the node back', async () => {
    const result = await agent('echo \'{"outcome": "success", "summary": "need the logs", "redispatch": true}\'').runTurn(
      turnInput(),
      fakeTurn().ctx,
    );
    assert.deepEqual([result.outcome, result.summary], ['redispatch', 'need the logs']);
  });

  test('no JSON: exit 0 is success with the output as summary', async () => {
    const result = await agent('echo "fixed it"').runTurn(turnInput(), fakeTurn().ctx);
    assert.deepEqual([result.outcome, result.summary], ['success', 'fixed it']);
  });

  test('no JSON: a non-zero exit is failure with the exit code and the last output', async () => {
    const result = await agent('echo "cannot find the file" >&2\nexit 3').runTurn(turnInput(), fakeTurn().ctx);
    assert.equal(result.outcome, 'failure');
    assert.match(result.summary, /exited 3/);
    assert.match(result.summary, /cannot find the file/);
  });

  test('a broken JSON answer fails the turn as MalformedAgentResult (non-retryable), with the reason', async () => {
    for (const line of ['{"outcome": "success", "summary": ', '{"outcome": "done", "summary": "x"}', '{"summary": "no outcome"}']) {
      await assert.rejects(agent(`echo '${line}'`).runTurn(turnInput(), fakeTurn().ctx), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.type, 'MalformedAgentResult');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /last stdout line/);
        return true;
      });
    }
  });

  test('arguments are an array: bead-looking text is never interpreted by a shell', async () => {
    const marker = path.join(tmp.dir, 'pwned');
    const a = agent('printf "%s|" "$@"', { args: [`x; touch ${marker}`, '$(touch ' + marker + ')', 'two words'] });
    const result = await a.runTurn(turnInput(), fakeTurn().ctx);
    assert.equal(result.summary, `x; touch ${marker}|$(touch ${marker})|two words|`);
    assert.equal(existsSync(marker), false);
  });

  test('without a worktree it runs in a temporary directory, removed afterwards', async () => {
    const result = await agent('pwd').runTurn(turnInput(), fakeTurn().ctx);
    assert.match(result.summary, /beadflow-turn-/);
    assert.equal(existsSync(result.summary.trim()), false);
  });

  test('a missing executable is a non-retryable configuration error', async () => {
    const a = new CommandAgent({ command: path.join(tmp.dir, 'no-such-agent'), personas });
    await assert.rejects(
      a.runTurn(turnInput(), fakeTurn().ctx),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'AgentConfigurationError' && /cannot run/.test(err.message),
    );
  });

  test('a missing worktree is a retryable error that names it', async () => {
    await assert.rejects(
      agent('true').runTurn(turnInput({ worktree: '/nonexistent/wt' }), fakeTurn().ctx),
      (err: unknown) =>
        err instanceof ApplicationFailure && err.type === 'WorktreeMissing' && !err.nonRetryable && /\/nonexistent\/wt/.test(err.message),
    );
  });
});

describe('killing: timeout and cancellation reach the whole process group', () => {
  test('a timed-out turn is a failure and leaves no process of its group alive', async () => {
    const { ctx, heartbeats } = fakeTurn();
    const a = agent('sleep 300 &\necho started\nwait', { timeoutMs: 500, killGraceMs: 500 });
    const started = Date.now();
    const result = await a.runTurn(turnInput(), ctx);
    assert.equal(result.outcome, 'failure');
    assert.match(result.summary, /timed out after \d+s and was killed/);
    assert.ok(Date.now() - started < 5_000, 'stopped promptly');
    const pid = heartbeatPid(heartbeats)!;
    await waitFor(() => liveGroupMembers(pid).length === 0, { what: `process group ${pid} to be gone`, timeoutMs: 3_000 });
  });

  test('the attempt deadline bounds a turn (just after it passes) even without a timeout of its own', async () => {
    const { ctx } = fakeTurn({ deadline: Date.now() + 200 });
    const result = await agent('sleep 300', { killGraceMs: 200 }).runTurn(turnInput(), ctx);
    assert.equal(result.outcome, 'failure');
    assert.match(result.summary, /timed out/);
  });

  test('cancellation kills the group (grandchildren too) and throws CancelledFailure', async () => {
    const { ctx, controller, heartbeats, logs } = fakeTurn();
    const run = agent('sleep 300 &\nsh -c "sleep 300" &\necho started\nwait').runTurn(turnInput(), ctx);
    await waitFor(() => logs.some((l) => l.includes('stdout: started')), { what: 'the agent to start' });
    const pid = heartbeatPid(heartbeats)!;
    assert.ok(liveGroupMembers(pid).length >= 3, 'the shell and its children run in their own group');
    controller.abort();
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
    await waitFor(() => liveGroupMembers(pid).length === 0, { what: `process group ${pid} to be gone`, timeoutMs: 3_000 });
  });

  test('a process that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const { ctx, controller, heartbeats, logs } = fakeTurn();
    const run = agent("trap '' TERM\nsleep 300 &\necho started\nwait", { killGraceMs: 300 }).runTurn(turnInput(), ctx);
    await waitFor(() => logs.some((l) => l.includes('stdout: started')), { what: 'the agent to start' });
    const pid = heartbeatPid(heartbeats)!;
    const aborted = Date.now();
    controller.abort();
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
    const took = Date.now() - aborted;
    assert.ok(took >= 250 && took < 3_000, `SIGKILL came after the grace period (${took} ms)`);
    assert.deepEqual(liveGroupMembers(pid), []);
  });

  test('a turn cancelled before it starts runs nothing', async () => {
    const marker = path.join(tmp.dir, 'ran');
    const { ctx, controller } = fakeTurn();
    controller.abort();
    await assert.rejects(agent(`touch ${marker}`).runTurn(turnInput(), ctx), (err: unknown) => err instanceof CancelledFailure);
    assert.equal(existsSync(marker), false);
  });
});

describe('process runner: heartbeats and bounded output', () => {
  test('heartbeats while the process runs', async () => {
    const { ctx, heartbeats } = fakeTurn();
    await runProcess({ command: 'sleep', args: ['0.5'], cwd: tmp.dir, env: process.env, label: 't', heartbeatMs: 100 }, ctx);
    assert.ok(heartbeats.length >= 3, `got ${heartbeats.length} heartbeats in 0.5 s at 100 ms`);
  });

  test('logs the first 200 lines, keeps the last 40, cuts endless lines', async () => {
    const { ctx, logs } = fakeTurn();
    const body = 'i=1; while [ $i -le 1000 ]; do echo "line $i"; i=$((i+1)); done\nhead -c 20000 /dev/zero | tr "\\0" x\n';
    const out = await runProcess(
      { command: script(tmp.dir, 'chatty.sh', body), args: [], cwd: tmp.dir, env: process.env, label: 'chatty' },
      ctx,
    );
    const lineLogs = logs.filter((l) => l.startsWith('chatty stdout:'));
    assert.equal(lineLogs.length, 200);
    assert.ok(logs.some((l) => /only the first 200 lines are logged/.test(l)));
    assert.equal(out.tail.length, 40);
    assert.ok(out.tail.includes('line 1000'));
    assert.ok(
      out.tail.every((l) => l.length < 4_100),
      'long lines are cut',
    );
  });
});

describe('long answers', () => {
  const longAnswer = (outcome: string, chars: number) =>
    agent(`node -e 'process.stdout.write(JSON.stringify({ outcome: "${outcome}", summary: "s".repeat(${chars}) }) + "\\n")'\nexit 0\n`);

  test("a 100,000-character failure answer stays a failure, its summary cut, not the exit code's success", async () => {
    const { ctx } = fakeTurn();
    const result = await longAnswer('failure', 100_000).runTurn(turnInput(), ctx);
    assert.equal(result.outcome, 'failure');
    assert.ok(result.summary.length < 9_000, `summary is ${result.summary.length} chars`);
    assert.match(result.summary, /\[summary cut: \d+ more chars\]$/);
  });

  test('an answer line over the answer limit that starts with { is malformed, never decided by the exit code', async () => {
    const { ctx } = fakeTurn();
    await assert.rejects(
      longAnswer('failure', 300_000).runTurn(turnInput(), ctx),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'MalformedAgentResult',
    );
  });
});
