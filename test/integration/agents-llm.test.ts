/**
 * Model agents end to end on the real server with real git: a local OpenAI-compatible server
 * plays the model and scripts its tool calls (read the failing test, edit the code, run the
 * tests, finish). The fix reaches the remote through verify and the commit lock, the key appears
 * only in Authorization headers, and a worker killed with -9 after the k-th model call resumes
 * at call k+1 with the same transcript, without repeating a completed call.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCommitActivities } from '../../src/activities/git';
import { noLedgerActivities } from '../../src/activities/ledger';
import { startBeadRun } from '../../src/client/start';
import type { ResolvedDefinition } from '../../src/dsl/types';
import type { Bead } from '../../src/shared/bead';
import { KNOWN_ROLES } from '../../src/shared/roles';
import { WorkerSet } from '../../src/workers/worker-set';
import { createProvider } from '../../src/workers/providers';
import { BUGGY_FILE, createSampleRepository, remoteFile, remoteLog } from '../../examples/self-healing/setup';
import { definition, node } from '../fixtures/definitions';
import { ChatServer, toolCall } from '../helpers/chat-server';
import type { PlannedResponse } from '../helpers/chat-server';
import { moves, state } from '../helpers/beads';
import { saveHistory } from '../helpers/histories';
import { startMcpHttpServer } from '../helpers/mcp-http';
import { McpToolbox } from '../../src/activities/llm/mcp';
import { childWorkflowIds, startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'sk-test-key-that-must-stay-in-the-worker';
const BUG = 'return roundCents(price * (percent / 100));';
const FIX = 'return roundCents(price * (1 - percent / 100));';

/** fix (model agent) → verify (the repository's tests) → commit: nothing unverified lands. */
function fixThenVerify(): ResolvedDefinition {
  return definition(
    [
      node('fix', 'task', { role: 'Software Engineer', maxAttempts: 2, maxToolCalls: 10, maxTokens: 100_000 }),
      node('verify', 'verify', { verify: { command: [process.execPath, '--test'] }, maxAttempts: 1 }),
      node('commit', 'commit', { maxAttempts: 2, leaseMs: 60_000 }),
    ],
    [
      ['', 'fix', 'success'],
      ['fix', 'verify', 'success'],
      ['verify', 'commit', 'approved'],
      ['verify', 'fix', 'rejected'],
      ['commit', '', 'success'],
    ],
  );
}

/** The model's script: read the test, edit the bug, run the tests, finish. */
const FIX_SCRIPT: PlannedResponse[] = [
  toolCall('read_file', { path: 'test/discount.test.js' }),
  toolCall('edit_file', { path: BUGGY_FILE, old_text: BUG, new_text: FIX }),
  toolCall('run_tests', {}),
  toolCall('finish', { outcome: 'success', summary: 'applyDiscount subtracted the wrong share; fixed and the tests pass' }),
];

function bead(repo: string): Bead {
  return {
    id: uniqueId('llm'),
    title: 'applyDiscount returns the discount, not the price',
    type: 'bug',
    description: 'node --test fails in test/discount.test.js',
    priority: 'P1',
    labels: ['bug'],
    repo,
  };
}

/** Every payload of a workflow's history, decoded: what a key leak would show up in. */
async function historyText(env: TestWorkflowEnvironment, workflowId: string): Promise<string> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    else if (typeof value === 'string') texts.push(value);
  };
  walk(history.events);
  return texts.join('\n');
}

interface SpawnedWorker {
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
}

/** `npm run worker -- --agent llm` in its own process, so it can be killed with -9. */
async function spawnLlmWorker(opts: { env: NodeJS.ProcessEnv; roleQueuePrefix: string }): Promise<SpawnedWorker> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete childEnv.NODE_TEST_CONTEXT;
  const args = ['--import', 'tsx', 'src/workers/main.ts', '--agent', 'llm', '--no-workflows', '--no-ledger'];
  const child = spawn(process.execPath, [...args, '--role-queue-prefix', opts.roleQueuePrefix], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => out.includes('beadflow worker: agent llm') || child.exitCode !== null, {
    what: 'the llm worker to start',
    timeoutMs: 60_000,
  });
  assert.equal(child.exitCode, null, `the worker stopped at start:\n${out}`);
  return { child, output: () => out, exited };
}

describe('agents: llm (tool-using model agents)', () => {
  let env: TestWorkflowEnvironment;
  let chat: ChatServer;
  before(async () => {
    env = await startTestEnv();
    chat = await ChatServer.start();
  });
  after(async () => {
    await chat?.close();
    await env?.teardown();
  });

  test('a scripted model reads the failing test, edits the code, runs the tests; verify passes and the fix lands', async () => {
    const repo = createSampleRepository();
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    chat.plan(...FIX_SCRIPT);
    try {
      const provider = createProvider({
        agent: 'llm',
        model: 'openai-compatible:scripted-coder',
        env: { OPENAI_BASE_URL: chat.baseUrl, OPENAI_API_KEY: KEY },
      });
      const workers = await WorkerSet.create({
        connection: env.nativeConnection,
        workflowTaskQueue: taskQueue,
        roles: [...KNOWN_ROLES],
        roleQueuePrefix,
        provider,
        worktreesRoot: repo.worktrees,
        hostId: uniqueId('host'),
        workflowQueueActivities: {
          ...noLedgerActivities,
          ...createCommitActivities({ client: env.client, worktreesRoot: repo.worktrees }),
        },
      });
      const b = bead(repo.clone);
      const s = await workers.runUntil(async () => {
        const handle = await startBeadRun(env.client, { bead: b, definition: fixThenVerify(), options: { roleQueuePrefix } }, taskQueue);
        const result = await handle.result();
        const s = await state(handle);
        assert.equal(result.status, 'completed', `${result.status}: ${result.reason}\n${moves(s).join('\n')}`);
        return s;
      });
      assert.deepEqual(moves(s), ['^>fix:success', 'fix>verify:success', 'verify>commit:approved', 'commit>$:success']);
      const fix = s.history.find((e) => e.kind === 'turn' && e.node === 'fix')!;
      assert.equal(fix.actor, 'llm:openai-compatible:scripted-coder');
      assert.match(fix.summary, /fixed and the tests pass/);
      assert.deepEqual(fix.usage, { modelCalls: 4, toolCalls: 3, inputTokens: 400, outputTokens: 80, totalTokens: 480 });

      assert.equal(chat.requests.length, 4, 'one request per model call');
      const second = chat.requests[1].body.messages ?? [];
      const toolResult = second.find((m) => m.role === 'tool');
      assert.match(String(toolResult?.content), /applyDiscount/, 'the model saw the test file it asked for');
      const afterTests = (chat.requests[3].body.messages ?? []).filter((m) => m.role === 'tool').pop();
      assert.match(String(afterTests?.content), /npm test --silent: passed/, 'run_tests ran the repository test script');
      assert.deepEqual(chat.requests[0].body.tools?.map((t) => t.function.name).sort(), [
        'edit_file',
        'finish',
        'git_diff',
        'list_files',
        'read_file',
        'run_tests',
        'search',
        'write_file',
      ]);

      assert.ok(remoteFile(repo.remote, BUGGY_FILE).includes(FIX), 'the remote has the fix');
      assert.equal(remoteLog(repo.remote).length, 2, `initial + the fix: ${remoteLog(repo.remote).join(' | ')}`);

      // The key went out in Authorization headers and nowhere else.
      for (const r of chat.requests) {
        assert.equal(r.headers.authorization, `Bearer ${KEY}`);
        assert.ok(!JSON.stringify(r.body).includes(KEY), 'the key is not in a request body');
      }
      const loops = await childWorkflowIds(env, b.id);
      assert.equal(loops.length, 1, 'the turn ran as one agentLoop child');
      for (const id of [b.id, ...loops]) assert.ok(!(await historyText(env, id)).includes(KEY), `the key is not in ${id}'s history`);
      assert.ok((await historyText(env, loops[0])).includes('read_file'), "the child's history holds the transcript");
      await saveHistory(env, b.id, 'llm-bead-fix-verify-commit');
      await saveHistory(env, loops[0], 'llm-agent-loop');
    } finally {
      repo.cleanup();
    }
  });

  test('a worker killed with -9 after the 2nd model call: the turn resumes at call 3 with the same transcript', async () => {
    const repo = createSampleRepository();
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    // Call 3 never answers: the worker is killed while it waits; the retried call 3 gets run_tests.
    chat.plan(FIX_SCRIPT[0], FIX_SCRIPT[1], { hang: true }, FIX_SCRIPT[2], FIX_SCRIPT[3]);
    const workerEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      BEADFLOW_MODEL: 'openai-compatible:scripted-coder',
      OPENAI_BASE_URL: chat.baseUrl,
      OPENAI_API_KEY: KEY,
      BEADFLOW_HOST_ID: uniqueId('host'),
      BEADFLOW_WORKTREES: repo.worktrees,
    };
    const spawned: SpawnedWorker[] = [];
    try {
      // Workflows and commits run in this process; the agent turns in the one that gets killed.
      const workflows = await WorkerSet.create({
        connection: env.nativeConnection,
        workflowTaskQueue: taskQueue,
        roles: [],
        roleQueuePrefix,
        provider: createProvider({ env: {} }),
        workflowQueueActivities: {
          ...noLedgerActivities,
          ...createCommitActivities({ client: env.client, worktreesRoot: repo.worktrees }),
        },
      });
      await workflows.runUntil(async () => {
        spawned.push(await spawnLlmWorker({ env: workerEnv, roleQueuePrefix }));
        const b = bead(repo.clone);
        const handle = await startBeadRun(
          env.client,
          { bead: b, definition: fixThenVerify(), options: { roleQueuePrefix, heartbeatTimeoutMs: 3_000 } },
          taskQueue,
        );
        await waitFor(() => chat.requests.length >= 3, { what: 'the third model call', timeoutMs: 60_000 });
        spawned[0].child.kill('SIGKILL');
        await spawned[0].exited;
        spawned.push(await spawnLlmWorker({ env: workerEnv, roleQueuePrefix }));
        const result = await handle.result();
        const s = await state(handle);
        assert.equal(result.status, 'completed', `${result.status}: ${result.reason}\n${moves(s).join('\n')}\n${spawned[1].output()}`);

        assert.equal(chat.requests.length, 5, 'calls 1 and 2 were not made again: 2 + the abandoned 3rd + its retry + finish');
        assert.deepEqual(chat.requests[3].body.messages, chat.requests[2].body.messages, 'the retried call carries the same transcript');
        const fresh = chat.requests.filter((r) => (r.body.messages ?? []).length === 2);
        assert.equal(fresh.length, 1, 'the conversation did not start over');
        const fix = s.history.find((e) => e.kind === 'turn' && e.node === 'fix')!;
        assert.equal(fix.usage?.modelCalls, 4, 'completed model calls, the abandoned one not counted');
        const source = remoteFile(repo.remote, BUGGY_FILE);
        assert.equal(source.split(FIX).length - 1, 1, 'the edit was made once');
      });
    } finally {
      for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(spawned.map((w) => w.exited));
      repo.cleanup();
    }
  });

  test('a role adds MCP tools: the model calls one through the same durable path; a model that never finishes fails at max_tool_calls', async () => {
    const docs = await startMcpHttpServer();
    const mcp = new McpToolbox([{ name: 'docs', url: docs.url, roles: ['Software Engineer'] }]);
    const taskQueue = uniqueId('wf');
    const roleQueuePrefix = `${uniqueId('role')}-`;
    try {
      const provider = createProvider({
        agent: 'llm',
        model: 'openai-compatible:scripted-coder',
        extraTools: mcp,
        env: { OPENAI_BASE_URL: chat.baseUrl },
      });
      const workers = await WorkerSet.create({
        connection: env.nativeConnection,
        workflowTaskQueue: taskQueue,
        roles: [...KNOWN_ROLES],
        roleQueuePrefix,
        provider,
        hostId: uniqueId('host'),
      });
      const oneTurn = (maxToolCalls: number) =>
        definition(
          [node('research', 'task', { role: 'Software Engineer', maxAttempts: 1, maxToolCalls, maxTokens: 100_000 })],
          [
            ['', 'research', 'success'],
            ['research', '', 'success'],
            ['research', '', 'failure'],
          ],
        );
      const run = async (maxToolCalls: number) => {
        const b: Bead = { id: uniqueId('mcp'), title: 'look it up', type: 'task', description: '', priority: 'P2', labels: [] };
        const handle = await startBeadRun(
          env.client,
          { bead: b, definition: oneTurn(maxToolCalls), options: { roleQueuePrefix } },
          taskQueue,
        );
        await handle.result();
        return (await state(handle)).history.find((e) => e.kind === 'turn')!;
      };
      await workers.runUntil(async () => {
        chat.plan(
          toolCall('docs__search', { query: 'discount rules' }),
          toolCall('finish', { outcome: 'success', summary: 'looked it up' }),
        );
        const found = await run(10);
        assert.equal(found.outcome, 'success', found.summary);
        assert.ok(
          chat.requests[0].body.tools?.some((t) => t.function.name === 'docs__search'),
          'the MCP tool is offered',
        );
        assert.deepEqual(docs.queries, ['discount rules']);
        const result = (chat.requests[1].body.messages ?? []).find((m) => m.role === 'tool');
        assert.equal(result?.content, 'found: discount rules', 'the MCP answer reached the model');

        // A model that keeps calling tools without finishing: failure at the limit, never a stuck turn.
        chat.plan(toolCall('list_files', {}));
        const looping = await run(3);
        assert.equal(looping.outcome, 'failure');
        assert.match(looping.summary, /stopped at the max_tool_calls limit/);
        assert.equal(chat.requests.length, 4, 'three tool calls were made, the fourth model reply hit the limit');
      });
    } finally {
      await mcp.close();
      await docs.close();
    }
  });
});
