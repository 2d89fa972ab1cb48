/** The model agent's tools (src/activities/llm/tools.ts): confined to the worktree, capped, and errors the model can read. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scrubbedEnv } from '../../src/activities/llm/host';
import { BUILTIN_TOOLS, runBuiltinTool } from '../../src/activities/llm/tools';
import type { BuiltinTool } from '../../src/activities/llm/tools';
import { LIMITS } from '../../src/shared/limits';
import { fakeTurn, tempDir } from '../helpers/agents';

describe('llm tools', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  before(() => {
    tmp = tempDir('beadflow-tools-');
    root = path.join(tmp.dir, 'wt');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(path.join(root, 'src/a.js'), 'const x = 1;\nconst y = 1;\nmodule.exports = { x, y };\n');
    writeFileSync(path.join(tmp.dir, 'secret.txt'), 'outside');
    symlinkSync(path.join(tmp.dir, 'secret.txt'), path.join(root, 'link-out'));
    symlinkSync(tmp.dir, path.join(root, 'dir-out'));
    symlinkSync(path.join(tmp.dir, 'nowhere'), path.join(root, 'dangling'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, stdio: 'pipe' });
    git('init', '--quiet');
    git('add', 'src');
    git('commit', '--quiet', '-m', 'init');
  });
  after(() => tmp.remove());

  const run = (name: BuiltinTool, input: unknown, over: { testCommand?: string[]; env?: NodeJS.ProcessEnv } = {}) =>
    runBuiltinTool(name, input, {
      worktree: root,
      env: over.env ?? scrubbedEnv(process.env),
      testCommand: over.testCommand,
      ctx: fakeTurn().ctx,
    });

  test('exactly the tool names of the contract, each with an object schema', () => {
    assert.deepEqual(
      BUILTIN_TOOLS.map((t) => t.name),
      ['read_file', 'list_files', 'search', 'write_file', 'edit_file', 'run_tests', 'git_diff', 'finish'],
    );
    for (const t of BUILTIN_TOOLS) assert.equal(t.inputSchema.type, 'object', t.name);
  });

  test('paths that leave the worktree are refused: .., absolute, symlinks out, dangling symlinks, .git', async () => {
    for (const [p, why] of [
      ['../secret.txt', /leaves the worktree/],
      [path.join(tmp.dir, 'secret.txt'), /is absolute/],
      ['link-out', /symlink that leads out/],
      ['dir-out/secret.txt', /symlink that leads out/],
      ['dangling', /symlink to nowhere/],
      ['.git/config', /inside \.git/],
    ] as const) {
      const read = await run('read_file', { path: p });
      assert.equal(read.ok, false, p);
      assert.match(read.text, why, p);
      const write = await run('write_file', { path: p, content: 'pwned' });
      assert.equal(write.ok, false, `write ${p}`);
    }
    assert.equal(readFileSync(path.join(tmp.dir, 'secret.txt'), 'utf8'), 'outside', 'nothing outside was written');
  });

  test('edit_file needs an exact, unique match; the model is told how to fix its call', async () => {
    const missing = await run('edit_file', { path: 'src/a.js', old_text: 'const z', new_text: 'x' });
    assert.deepEqual([missing.ok, /does not occur/.test(missing.text)], [false, true]);
    const twice = await run('edit_file', { path: 'src/a.js', old_text: ' = 1;', new_text: ' = 2;' });
    assert.deepEqual([twice.ok, /more than once/.test(twice.text)], [false, true]);
    const ok = await run('edit_file', { path: 'src/a.js', old_text: 'const y = 1;', new_text: 'const y = 2;' });
    assert.equal(ok.ok, true);
    assert.match(readFileSync(path.join(root, 'src/a.js'), 'utf8'), /const y = 2;/);
    const diff = await run('git_diff', {});
    assert.match(diff.text, /-const y = 1;\n\+const y = 2;/);
  });

  test('arguments that fail the schema are a tool error naming the problem', async () => {
    const r = await run('read_file', { file: 'src/a.js' });
    assert.equal(r.ok, false);
    assert.match(r.text, /the arguments of read_file do not fit its schema/);
    assert.match(r.text, /\["path"\]/);
  });

  test('reads are capped at 64 KiB with a note; list_files and search see new files', async () => {
    writeFileSync(path.join(root, 'big.txt'), 'y'.repeat(LIMITS.toolResultChars + 500));
    const big = await run('read_file', { path: 'big.txt' });
    assert.equal(big.truncated, true);
    assert.match(big.text, /\[cut: 66036 characters, only the first 65536 shown/);
    assert.match((await run('list_files', {})).text, /big\.txt[^]*src\/a\.js|src\/a\.js[^]*big\.txt/);
    const found = await run('search', { query: 'module.exports' });
    assert.match(found.text, /src\/a\.js:3:module\.exports/);
    assert.match((await run('search', { query: 'no such text' })).text, /no line contains/);
  });

  test("run_tests runs the configured argv without a shell and without the worker's keys", async () => {
    const printEnv = [process.execPath, '-e', 'console.log(Object.keys(process.env).sort().join(","))'];
    const r = await run(
      'run_tests',
      {},
      {
        testCommand: printEnv,
        env: scrubbedEnv({ ...process.env, OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'a', PATH: process.env.PATH }),
      },
    );
    assert.equal(r.ok, true);
    assert.match(r.text, /passed/);
    assert.doesNotMatch(r.text, /OPENAI_API_KEY|ANTHROPIC_API_KEY/);
    assert.match(r.text, /PATH/);
    const failing = await run('run_tests', {}, { testCommand: [process.execPath, '-e', 'console.log("1 failing"); process.exit(1)'] });
    assert.match(failing.text, /FAILED \(exited 1\)[^]*1 failing/);
    const none = await run('run_tests', {});
    assert.deepEqual([none.ok, /no test command is configured/.test(none.text)], [false, true]);
  });
});
