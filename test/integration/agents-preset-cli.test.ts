/**
 * A real coding CLI as a beadflow agent: Claude Code (pinned, installed into a cache outside the
 * repository by test/helpers/cli-install.ts) runs through the `claude` preset and the command
 * provider's runTurn, against a local Anthropic Messages API that scripts its replies: read a
 * file, edit it, answer. Offline: the CLI talks to 127.0.0.1 only. Skipped only when the CLI
 * cannot be installed (the skip message says why).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CommandAgent } from '../../src/activities/agents/command';
import { loadPersonas } from '../../src/activities/agents/personas';
import { AGENT_PRESETS } from '../../src/activities/agents/presets';
import { AnthropicServer } from '../helpers/anthropic-server';
import { fakeTurn, tempDir, turnInput } from '../helpers/agents';
import { CLAUDE_CODE, installCli } from '../helpers/cli-install';

const installed = installCli(CLAUDE_CODE);
const skip = installed.ok ? false : `Claude Code ${CLAUDE_CODE.version} could not be installed: ${installed.reason}`;

describe(`agents: the claude preset drives Claude Code ${CLAUDE_CODE.version}`, { skip }, () => {
  const personas = loadPersonas();
  let server: AnthropicServer;
  let tmp: ReturnType<typeof tempDir>;
  let home: string;

  before(async () => {
    server = await AnthropicServer.start();
    tmp = tempDir('beadflow-claude-');
    home = path.join(tmp.dir, 'home');
    mkdirSync(home);
  });
  after(async () => {
    await server?.close();
    tmp?.remove();
  });

  /** A git repository with one committed file, as a bead's worktree would be. */
  const repo = (name: string) => {
    const dir = path.join(tmp.dir, name);
    mkdirSync(dir);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    writeFileSync(path.join(dir, 'discount.js'), 'export const applyDiscount = (price, percent) => percent;\n');
    git('add', '.');
    git('commit', '-qm', 'initial');
    return { dir, file: path.join(dir, 'discount.js'), git };
  };

  const agent = () =>
    new CommandAgent({
      command: installed.ok ? installed.executable : 'claude',
      personas,
      preset: AGENT_PRESETS.claude,
      timeoutMs: 120_000,
      killGraceMs: 1_000,
      // Only what the CLI needs: no real credentials or configuration of the machine reach it.
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: server.baseUrl,
        ANTHROPIC_API_KEY: 'test-key-not-real',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
      },
    });

  test('it reads and edits the file with its own tools, commits nothing, and its answer is parsed', async () => {
    const r = repo('edit');
    server.script(
      { tool: 'Read', input: { file_path: r.file } },
      { tool: 'Edit', input: { file_path: r.file, old_string: '=> percent;', new_string: '=> price - (price * percent) / 100;' } },
      { text: 'Fixed applyDiscount.\n{"outcome": "success", "summary": "applyDiscount now subtracts the percentage"}' },
    );
    const result = await agent().runTurn(turnInput({ worktree: r.dir }), fakeTurn().ctx);

    assert.deepEqual([result.outcome, result.summary], ['success', 'applyDiscount now subtracts the percentage']);
    assert.match(result.agent, /^command:claude:.*claude$/);
    assert.equal(readFileSync(r.file, 'utf8'), 'export const applyDiscount = (price, percent) => price - (price * percent) / 100;\n');
    // The change is left for beadflow to commit.
    assert.equal(r.git('rev-list', '--count', 'HEAD').trim(), '1');
    assert.match(r.git('status', '--porcelain'), /^ M discount\.js$/m);

    // The prompt reached the model (on stdin), and each tool result came back to it.
    const conversation = server.conversation;
    assert.equal(conversation.length, 3);
    const sent = JSON.stringify(conversation[0].body.messages);
    assert.match(sent, /Discount is wrong/);
    assert.match(sent, /You are the QA Engineer/);
    assert.ok(conversation[0].tools.includes('Edit') && conversation[0].tools.includes('Read'), conversation[0].tools.join(','));
    assert.match(JSON.stringify(conversation[2].body.messages), /tool_result/);
  });

  test('a final message without a beadflow answer: the tool reported success, so the turn succeeds with it as summary', async () => {
    const r = repo('write');
    const created = path.join(r.dir, 'discount.test.js');
    server.script(
      { tool: 'Write', input: { file_path: created, content: "import { applyDiscount } from './discount.js';\n" } },
      { text: 'Added discount.test.js.' },
    );
    const result = await agent().runTurn(turnInput({ worktree: r.dir }), fakeTurn().ctx);
    assert.deepEqual([result.outcome, result.summary], ['success', 'Added discount.test.js.']);
    assert.equal(readFileSync(created, 'utf8'), "import { applyDiscount } from './discount.js';\n");
    assert.equal(r.git('rev-list', '--count', 'HEAD').trim(), '1');
  });

  test('a git commit it attempts is refused: the change stays for beadflow to commit', async () => {
    const r = repo('commit');
    writeFileSync(r.file, 'export const applyDiscount = (price) => price;\n');
    server.script(
      { tool: 'Bash', input: { command: 'git commit -am "agent commit"', description: 'Commit the fix' } },
      { text: 'Could not commit; leaving the change in place.' },
    );
    const result = await agent().runTurn(turnInput({ worktree: r.dir }), fakeTurn().ctx);
    assert.equal(result.outcome, 'success');
    assert.equal(r.git('rev-list', '--count', 'HEAD').trim(), '1');
    assert.match(r.git('status', '--porcelain'), /^ M discount\.js$/m);
    // The model was told the command was not run.
    assert.match(JSON.stringify(server.conversation.at(-1)?.body.messages), /tool_result/);
  });
});
