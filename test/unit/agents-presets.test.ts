/** Agent presets: each coding CLI's argv and output parser (samples in the tools' documented formats), and their wiring. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import { AGENT_PRESETS, PRESET_NAMES, embeddedAnswer, findPreset } from '../../src/activities/agents/presets';
import { BeadflowError } from '../../src/shared/errors';
import { LIMITS } from '../../src/shared/limits';
import { parseWorkerArgs } from '../../src/workers/options';
import { createProvider } from '../../src/workers/providers';
import { fakeTurn, script, tempDir, turnInput } from '../helpers/agents';

const { claude, codex, aider, opencode } = AGENT_PRESETS;
const jsonl = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const malformed = (err: unknown) => err instanceof ApplicationFailure && err.type === 'MalformedAgentResult';
const usage = (pattern: RegExp) => (err: unknown) =>
  err instanceof BeadflowError && err.kind === 'usage' && pattern.test(err.message + ' ' + err.hint);

/** `claude -p --output-format json`: one result object. */
const claudeResult = (over: Record<string, unknown>) =>
  JSON.stringify({
    type: 'result',
    subtype: 'success',
    is_error: false,
    duration_ms: 5210,
    duration_api_ms: 4830,
    num_turns: 4,
    result: 'Done.',
    session_id: '6c1f4b52-0a7e-4d5e-9d0b-2f1f8a3c9e11',
    total_cost_usd: 0.0421,
    usage: { input_tokens: 1200, output_tokens: 310, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    permission_denials: [],
    ...over,
  }) + '\n';

describe('preset argv', () => {
  test('every preset is listed and found by name; nothing else is', () => {
    assert.deepEqual(PRESET_NAMES, ['claude', 'codex', 'aider', 'opencode']);
    for (const name of PRESET_NAMES) assert.equal(findPreset(name)?.name, name);
    assert.equal(findPreset('toString'), undefined);
    assert.equal(findPreset('gpt'), undefined);
  });

  test('claude: print mode, JSON output, edits accepted, git commit/push denied; prompt on stdin; extra args last', () => {
    assert.equal(claude.executable, 'claude');
    assert.equal(claude.promptVia, 'stdin');
    const argv = claude.args('the prompt', ['--model', 'sonnet']);
    assert.deepEqual(argv, [
      '-p',
      '--disallowedTools',
      'Bash(git commit:*)',
      'Bash(git push:*)',
      '--output-format',
      'json',
      '--permission-mode',
      'acceptEdits',
      '--model',
      'sonnet',
    ]);
    assert.ok(!argv.includes('the prompt'));
  });

  test('codex: exec --json, sandboxed auto mode, prompt read from stdin ("-" last)', () => {
    assert.equal(codex.promptVia, 'stdin');
    const argv = codex.args('the prompt', ['-m', 'gpt-5-codex']);
    assert.deepEqual(argv.slice(0, 2), ['exec', '--json']);
    assert.ok(argv.includes('--full-auto') && argv.includes('--skip-git-repo-check'));
    assert.deepEqual(argv.slice(-3), ['-m', 'gpt-5-codex', '-']);
  });

  test('aider: one message, yes to everything, no commits of its own, no .gitignore edit; the prompt is one argument', () => {
    assert.equal(aider.promptVia, 'argument');
    const argv = aider.args('--fix the bug; rm -rf /', ['--model', 'sonnet']);
    for (const flag of ['--yes-always', '--no-auto-commits', '--no-dirty-commits', '--no-gitignore']) assert.ok(argv.includes(flag), flag);
    assert.equal(argv.at(-1), '--message=--fix the bug; rm -rf /');
    assert.deepEqual(argv.slice(-3, -1), ['--model', 'sonnet']);
  });

  test('opencode: run --format json, the prompt after "--"', () => {
    assert.equal(opencode.promptVia, 'argument');
    assert.deepEqual(opencode.args('-p looks like a flag', ['--model', 'anthropic/claude-sonnet-4']), [
      'run',
      '--format',
      'json',
      '--model',
      'anthropic/claude-sonnet-4',
      '--',
      '-p looks like a flag',
    ]);
  });
});

describe('claude parser', () => {
  test('success: the result text is the summary', () => {
    const answer = claude.parse(claudeResult({ result: 'Fixed applyDiscount: it now subtracts the percentage.' }), 0);
    assert.deepEqual(answer, { outcome: 'success', summary: 'Fixed applyDiscount: it now subtracts the percentage.' });
  });

  test('a beadflow answer in the result text wins (after prose, or fenced)', () => {
    const prose = claude.parse(claudeResult({ result: 'I looked at it.\n\n{"outcome": "rejected", "summary": "needs tests"}' }), 0);
    assert.deepEqual(prose, { outcome: 'rejected', summary: 'needs tests' });
    const fenced = claude.parse(claudeResult({ result: '```json\n{"outcome":"success","summary":"ok","redispatch":true}\n```' }), 0);
    assert.deepEqual(fenced, { outcome: 'redispatch', summary: 'ok' });
  });

  test('error subtypes and is_error are failures, saying which', () => {
    const maxTurns = claude.parse(claudeResult({ subtype: 'error_max_turns', is_error: true, result: undefined }), 1);
    assert.equal(maxTurns.outcome, 'failure');
    assert.match(maxTurns.summary, /error_max_turns/);
    const api = claude.parse(
      claudeResult({ is_error: true, result: 'API Error: 401 {"type":"error","error":{"type":"authentication_error"}}' }),
      1,
    );
    assert.equal(api.outcome, 'failure');
    assert.match(api.summary, /is_error.*API Error: 401/);
  });

  test('--verbose output (an array of messages) is read for its result', () => {
    const stdout = JSON.stringify([{ type: 'system', subtype: 'init', session_id: 's' }, JSON.parse(claudeResult({ result: 'all good' }))]);
    assert.deepEqual(claude.parse(stdout, 0), { outcome: 'success', summary: 'all good' });
  });

  test('no result object: exit code and the text decide', () => {
    assert.deepEqual(claude.parse('Invalid API key · Please run /login\n', 1), {
      outcome: 'failure',
      summary: 'claude exited 1:\nInvalid API key · Please run /login',
    });
    assert.equal(claude.parse('', 0).outcome, 'success');
  });

  test('a long final message is cut at the summary limit', () => {
    const answer = claude.parse(claudeResult({ result: 'x'.repeat(LIMITS.summaryChars + 500) }), 0);
    assert.ok(answer.summary.length < LIMITS.summaryChars + 100);
    assert.match(answer.summary, /summary cut: 500 more chars/);
  });

  test('a broken beadflow answer is malformed, not a guess', () => {
    assert.throws(() => claude.parse(claudeResult({ result: '{"outcome": "done", "summary": "x"}' }), 0), malformed);
  });
});

describe('codex parser', () => {
  const started = [{ type: 'thread.started', thread_id: '0199a213-81c0-7800-8aa1-bbab2a035a53' }, { type: 'turn.started' }];
  const usage = { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 };

  test('the last agent_message is the summary; turn.completed and exit 0 are success', () => {
    const stdout = jsonl(
      ...started,
      { type: 'item.completed', item: { id: 'item_0', type: 'reasoning', text: '**Looking at the discount**' } },
      { type: 'item.started', item: { id: 'item_1', type: 'command_execution', command: 'bash -lc ls', status: 'in_progress' } },
      {
        type: 'item.completed',
        item: {
          id: 'item_1',
          type: 'command_execution',
          command: 'bash -lc ls',
          aggregated_output: 'src\n',
          exit_code: 0,
          status: 'completed',
        },
      },
      { type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: 'Looking around.' } },
      {
        type: 'item.completed',
        item: { id: 'item_3', type: 'file_change', changes: [{ path: 'src/discount.js', kind: 'update' }], status: 'completed' },
      },
      { type: 'item.completed', item: { id: 'item_4', type: 'agent_message', text: 'Fixed the discount in src/discount.js.' } },
      { type: 'turn.completed', usage },
    );
    assert.deepEqual(codex.parse(stdout, 0), { outcome: 'success', summary: 'Fixed the discount in src/discount.js.' });
  });

  test('a beadflow answer in the final message wins', () => {
    const stdout = jsonl(
      ...started,
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: '{"outcome":"approved","summary":"looks right"}' } },
      { type: 'turn.completed', usage },
    );
    assert.deepEqual(codex.parse(stdout, 0), { outcome: 'approved', summary: 'looks right' });
  });

  test('turn.failed (and a non-zero exit) is failure with the error', () => {
    const stdout = jsonl(
      ...started,
      { type: 'error', message: 'stream error: unexpected status 401 Unauthorized' },
      { type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized: Incorrect API key provided' } },
    );
    const answer = codex.parse(stdout, 1);
    assert.equal(answer.outcome, 'failure');
    assert.match(answer.summary, /codex reported failure: unexpected status 401 Unauthorized: Incorrect API key/);
  });

  test('the older event format ({id, msg}) is read too', () => {
    const stdout = jsonl(
      { id: '0', msg: { type: 'task_started' } },
      { id: '0', msg: { type: 'agent_message', message: 'Patched it.' } },
      { id: '0', msg: { type: 'task_complete', last_agent_message: 'Patched the discount.' } },
    );
    assert.deepEqual(codex.parse(stdout, 0), { outcome: 'success', summary: 'Patched the discount.' });
  });

  test('no events at all: exit code decides', () => {
    assert.deepEqual(codex.parse("Error: unexpected argument '--bogus' found\n", 2), {
      outcome: 'failure',
      summary: "codex exited 2:\nError: unexpected argument '--bogus' found",
    });
  });
});

describe('aider parser', () => {
  const banner = [
    'Aider v0.86.1',
    'Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output',
    'Weak model: anthropic/claude-3-5-haiku-20241022',
    'Git repo: .git with 12 files',
    'Repo-map: using 4096 tokens, auto refresh',
    '',
  ].join('\n');

  test("the reply without aider's banner and token lines is the summary; exit 0 is success", () => {
    const stdout = `${banner}I changed applyDiscount to subtract the percentage.\n\nsrc/discount.js\n\nApplied edit to src/discount.js\nTokens: 2.1k sent, 120 received. Cost: $0.0081 message, $0.0081 session.\n`;
    assert.deepEqual(aider.parse(stdout, 0), {
      outcome: 'success',
      summary: 'I changed applyDiscount to subtract the percentage.\n\nsrc/discount.js\n\nApplied edit to src/discount.js',
    });
  });

  test('an answer line in the reply wins; a non-zero exit without one is failure', () => {
    assert.deepEqual(aider.parse(`${banner}Done.\n{"outcome": "success", "summary": "subtracts now"}\nTokens: 1k sent\n`, 0), {
      outcome: 'success',
      summary: 'subtracts now',
    });
    const failed = aider.parse(`${banner}litellm.AuthenticationError: AnthropicException - invalid x-api-key\n`, 1);
    assert.equal(failed.outcome, 'failure');
    assert.match(failed.summary, /aider exited 1:\nlitellm.AuthenticationError/);
  });
});

describe('opencode parser', () => {
  const ev = (type: string, part: Record<string, unknown>) => ({ type, timestamp: 1768191337567, sessionID: 'ses_44f9562d4ffe', part });

  test('the last text part is the summary', () => {
    const stdout = jsonl(
      ev('step_start', { type: 'step-start' }),
      ev('text', { type: 'text', text: 'Let me look.' }),
      ev('tool_use', { type: 'tool', tool: 'edit', state: { status: 'completed', input: { filePath: 'src/discount.js' }, output: '' } }),
      ev('step_finish', { type: 'step-finish', reason: 'tool-calls' }),
      ev('step_start', { type: 'step-start' }),
      ev('text', { type: 'text', text: 'Fixed the discount.' }),
      ev('step_finish', { type: 'step-finish', reason: 'stop', tokens: { input: 10, output: 5 } }),
    );
    assert.deepEqual(opencode.parse(stdout, 0), { outcome: 'success', summary: 'Fixed the discount.' });
  });

  test('an answer in the last text wins; an error event is failure', () => {
    const answered = jsonl(ev('text', { type: 'text', text: 'Result:\n{"outcome":"failure","summary":"cannot reproduce"}' }));
    assert.deepEqual(opencode.parse(answered, 0), { outcome: 'failure', summary: 'cannot reproduce' });
    const errored = jsonl(ev('step_start', { type: 'step-start' }), {
      type: 'error',
      timestamp: 1,
      sessionID: 's',
      error: { name: 'ProviderAuthError', data: { message: 'Missing API key' } },
    });
    const answer = opencode.parse(errored, 1);
    assert.equal(answer.outcome, 'failure');
    assert.match(answer.summary, /Missing API key/);
  });
});

describe('embedded answers', () => {
  test('the last object with an outcome counts; other JSON is text', () => {
    assert.equal(embeddedAnswer('t', 'config was {"a": 1} and {"b": {"c": "}"}}'), undefined);
    assert.deepEqual(embeddedAnswer('t', '{"outcome":"failure","summary":"first"} then {"outcome":"success","summary":"last {x}"}'), {
      outcome: 'success',
      summary: 'last {x}',
    });
    assert.equal(embeddedAnswer('t', '{"outcome": "success", "summary": "never closed'), undefined);
  });
});

describe('presets through the command provider', () => {
  const personas = loadPersonas();
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  test('claude-style tool: the prompt on stdin, the JSON result parsed, the turn in its env', async () => {
    const fake = script(
      tmp.dir,
      'fake-claude.sh',
      `cat > prompt.txt\nprintf '%s\\n' "$@" > argv.txt\necho '{"type":"result","subtype":"success","is_error":false,"result":"edited for '"$BEAD_ID"'"}'\n`,
    );
    const worktree = tempDir('beadflow-worktree-');
    try {
      const agent = new CommandAgent({ command: fake, personas, preset: claude });
      const result = await agent.runTurn(turnInput({ worktree: worktree.dir }), fakeTurn().ctx);
      assert.deepEqual([result.outcome, result.summary], ['success', 'edited for bead-test-1']);
      assert.equal(result.agent, `command:claude:${fake}`);
      assert.match(readFileSync(path.join(worktree.dir, 'prompt.txt'), 'utf8'), /You are the QA Engineer/);
      assert.deepEqual(readFileSync(path.join(worktree.dir, 'argv.txt'), 'utf8').trim().split('\n'), claude.args(''));
    } finally {
      worktree.remove();
    }
  });

  test('aider-style tool: the prompt is an argument, stdin is empty; a killed tool is a failure', async () => {
    const fake = script(tmp.dir, 'fake-aider.sh', 'for a in "$@"; do last="$a"; done\necho "got ${#last} chars; stdin: $(cat | wc -c)"\n');
    const result = await new CommandAgent({ command: fake, personas, preset: aider }).runTurn(turnInput(), fakeTurn().ctx);
    assert.equal(result.outcome, 'success');
    assert.match(result.summary, /^got \d{3,} chars; stdin: 0$/);
    const killed = script(tmp.dir, 'killed.sh', 'echo "partial work"\nkill -9 $$\n');
    const failed = await new CommandAgent({ command: killed, personas, preset: aider }).runTurn(turnInput(), fakeTurn().ctx);
    assert.equal(failed.outcome, 'failure');
    assert.match(failed.summary, /aider killed by SIGKILL; last output:\npartial work/);
  });
});

describe('worker wiring', () => {
  let tmp: ReturnType<typeof tempDir>;
  let fake: string;
  before(() => {
    tmp = tempDir();
    fake = script(tmp.dir, 'claude', 'echo \'{"type":"result","subtype":"success","is_error":false,"result":"ok"}\'');
  });
  after(() => tmp.remove());

  test('--agent-preset and BEADFLOW_AGENT_PRESET are read; the flag wins', () => {
    assert.equal(parseWorkerArgs(['node', 'worker', '--agent-preset', 'codex'], { BEADFLOW_AGENT_PRESET: 'claude' }).agentPreset, 'codex');
    assert.equal(parseWorkerArgs(['node', 'worker'], { BEADFLOW_AGENT_PRESET: 'aider' }).agentPreset, 'aider');
    assert.equal(parseWorkerArgs(['node', 'worker'], {}).agentPreset, undefined);
  });

  test('a preset implies the command provider; the executable is found on PATH', async () => {
    const provider = createProvider({ agentPreset: 'claude', env: { PATH: tmp.dir } });
    assert.ok(provider instanceof CommandAgent);
    const result = await provider.runTurn(turnInput(), fakeTurn().ctx);
    assert.deepEqual([result.outcome, result.summary, result.agent], ['success', 'ok', `command:claude:${fake}`]);
    assert.ok(
      createProvider({ env: { PATH: tmp.dir, BEADFLOW_AGENT_PRESET: 'claude', BEADFLOW_AGENT: 'command' } }) instanceof CommandAgent,
    );
  });

  test('--agent-command overrides the executable', async () => {
    const other = script(tmp.dir, 'my-claude.sh', 'echo \'{"type":"result","subtype":"success","is_error":false,"result":"from mine"}\'');
    const provider = createProvider({ agentPreset: 'claude', agentCommand: other, env: { PATH: '/nonexistent' } });
    const result = await provider.runTurn(turnInput(), fakeTurn().ctx);
    assert.deepEqual([result.summary, result.agent], ['from mine', `command:claude:${other}`]);
  });

  test('refusals: an unknown preset lists the presets; another provider conflicts; a missing tool says how to fix it', () => {
    assert.throws(
      () => createProvider({ agentPreset: 'cursor', env: {} }),
      usage(/unknown agent preset "cursor".*claude, codex, aider, opencode/),
    );
    assert.throws(() => createProvider({ env: { BEADFLOW_AGENT_PRESET: 'gpt' } }), usage(/BEADFLOW_AGENT_PRESET/));
    assert.throws(() => createProvider({ agentPreset: 'claude', agent: 'openai', env: { PATH: tmp.dir } }), usage(/not "openai"/));
    assert.throws(() => createProvider({ agentPreset: 'codex', env: { PATH: tmp.dir } }), usage(/codex is not on PATH.*--agent-command/));
  });
});
