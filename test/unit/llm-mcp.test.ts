/**
 * MCP tools for the model agent: config (file, environment, errors), a stdio server the test
 * writes and an in-process streamable-HTTP server: listing, role filters, calls, errors, caps,
 * timeouts, unreachable servers and closing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { MCP_RESULT_CHARS, McpToolbox, loadMcpServers, type McpServerConfig } from '../../src/activities/llm/mcp';
import { BeadflowError } from '../../src/shared/errors';
import { tempDir } from '../helpers/agents';
import { startMcpHttpServer } from '../helpers/mcp-http';

const LONG = 'long_' + 'a'.repeat(70);

/** The SDK's and zod's ESM entry points as file URLs: the server script lives in a temp dir, far from node_modules. */
function esm(spec: string): string {
  const file = spec === 'zod' ? path.join(path.dirname(require.resolve('zod/package.json')), 'index.js') : require.resolve(spec);
  const esmFile = file.replace(`${path.sep}dist${path.sep}cjs${path.sep}`, `${path.sep}dist${path.sep}esm${path.sep}`);
  assert.ok(existsSync(esmFile), esmFile);
  return pathToFileURL(esmFile).href;
}

const STDIO_SERVER = `
import { writeFileSync } from 'node:fs';
import { McpServer } from '${esm('@modelcontextprotocol/sdk/server/mcp.js')}';
import { StdioServerTransport } from '${esm('@modelcontextprotocol/sdk/server/stdio.js')}';
import { z } from '${esm('zod')}';
writeFileSync(process.env.PID_FILE, String(process.pid));
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const server = new McpServer({ name: 'test-files', version: '1.0.0' });
server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => text(String(a + b)));
server.registerTool('fail', { description: 'Always fails' }, async () => ({ isError: true, content: [{ type: 'text', text: 'disk on fire' }] }));
server.registerTool('big', { description: 'A huge answer' }, async () => text('x'.repeat(100000)));
server.registerTool('picture', { description: 'Text and an image' }, async () => ({
  content: [{ type: 'text', text: 'here it is:' }, { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }],
}));
server.registerTool('env', { description: 'FOO from the environment' }, async () => text(process.env.FOO ?? '(unset)'));
server.registerTool('slow', { description: 'Answers after 5 s' }, async (extra) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(text('late')), 5000);
    extra.signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('cancelled')); });
  }),
);
server.registerTool('get.time', { description: 'A dotted name' }, async () => text('noon'));
server.registerTool('${LONG}1', { description: 'long 1' }, async () => text('one'));
server.registerTool('${LONG}2', { description: 'long 2' }, async () => text('two'));
await server.connect(new StdioServerTransport());
`;

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let tmp: ReturnType<typeof tempDir>;
let files: McpServerConfig;
let pidFile: string;
before(() => {
  tmp = tempDir('beadflow-mcp-');
  writeFileSync(path.join(tmp.dir, 'server.mjs'), STDIO_SERVER);
  pidFile = path.join(tmp.dir, 'server.pid');
  files = { name: 'files', command: process.execPath, args: ['server.mjs'], cwd: tmp.dir, env: { FOO: 'bar', PID_FILE: pidFile } };
});
after(() => tmp.remove());

describe('loadMcpServers', () => {
  const write = (name: string, text: string) => {
    const file = path.join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  };
  const usageError =
    (...patterns: RegExp[]) =>
    (err: unknown) =>
      err instanceof BeadflowError && err.kind === 'usage' && patterns.every((p) => p.test(err.message));

  test('reads mcp_servers from the file; BEADFLOW_MCP_SERVERS adds and overrides; relative cwd is from the file', () => {
    const file = write(
      'good.yaml',
      [
        'other_setting: 1',
        'mcp_servers:',
        '  files:',
        '    command: node',
        '    args: [server.mjs]',
        '    env: { FOO: bar, PORT: 8080 }',
        '    cwd: sub',
        '    roles: [Software Engineer]',
        '  docs:',
        '    url: http://127.0.0.1:8123/mcp',
        '    headers: { Authorization: "Bearer x" }',
      ].join('\n'),
    );
    assert.deepEqual(loadMcpServers({ file, env: {} }), [
      {
        name: 'files',
        command: 'node',
        args: ['server.mjs'],
        env: { FOO: 'bar', PORT: '8080' },
        cwd: path.join(tmp.dir, 'sub'),
        roles: ['Software Engineer'],
      },
      { name: 'docs', url: 'http://127.0.0.1:8123/mcp', headers: { Authorization: 'Bearer x' } },
    ]);
    const env = {
      BEADFLOW_CONFIG: file,
      BEADFLOW_MCP_SERVERS: JSON.stringify({ docs: { url: 'http://127.0.0.1:9/mcp' }, more: { command: 'x' } }),
    };
    assert.deepEqual(
      loadMcpServers({ env }).map((s) => [s.name, s.url ?? s.command]),
      [
        ['files', 'node'],
        ['docs', 'http://127.0.0.1:9/mcp'],
        ['more', 'x'],
      ],
    );
  });

  test('no file, no servers: beadflow.config.yaml of cwd is optional, and a config without mcp_servers is fine', () => {
    assert.deepEqual(loadMcpServers({ env: {}, cwd: tmp.dir }), []);
    assert.deepEqual(loadMcpServers({ file: path.join(tmp.dir, 'missing.yaml'), env: {} }), []);
    assert.deepEqual(loadMcpServers({ file: write('empty.yaml', 'other: 1\n'), env: {} }), []);
    write('beadflow.config.yaml', 'mcp_servers:\n  here:\n    command: node\n');
    assert.deepEqual(loadMcpServers({ env: {}, cwd: tmp.dir }), [{ name: 'here', command: 'node' }]);
  });

  test('bad config is a usage error naming the file, the server and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['  both:\n    command: node\n    url: http://127.0.0.1:1/mcp\n', /MCP server "both" has both command and url/],
      ['  neither:\n    args: [x]\n', /MCP server "neither" has neither command nor url/],
      ['  badargs:\n    command: node\n    args: server.mjs\n', /MCP server "badargs": args must be a list of strings/],
      ['  typo:\n    command: node\n    argz: [x]\n', /MCP server "typo": unknown setting argz/],
      ['  ftp:\n    url: ftp://127.0.0.1/x\n', /MCP server "ftp": url must be an http/],
      ['  mixed:\n    url: http://127.0.0.1:1/mcp\n    env: { A: b }\n', /MCP server "mixed": env applies to command servers/],
      ['  scalar: node\n', /MCP server "scalar": must be a map of settings/],
    ];
    for (const [body, pattern] of cases) {
      const file = write('bad.yaml', `mcp_servers:\n${body}`);
      assert.throws(() => loadMcpServers({ file, env: {} }), usageError(pattern, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))));
    }
    assert.throws(
      () => loadMcpServers({ file: write('list.yaml', 'mcp_servers: [a, b]\n'), env: {} }),
      usageError(/list\.yaml: mcp_servers must be a map/),
    );
    assert.throws(
      () => loadMcpServers({ file: write('broken.yaml', 'mcp_servers: {\n'), env: {} }),
      usageError(/broken\.yaml: not valid YAML/),
    );
    assert.throws(
      () => loadMcpServers({ env: { BEADFLOW_MCP_SERVERS: '{nope' }, cwd: tmp.dir }),
      usageError(/BEADFLOW_MCP_SERVERS: not valid JSON/),
    );
    assert.throws(
      () => loadMcpServers({ env: { BEADFLOW_MCP_SERVERS: '{"x":{"command":"a","url":"http://h/"}}' }, cwd: tmp.dir }),
      usageError(/^BEADFLOW_MCP_SERVERS: MCP server "x" has both/),
    );
  });
});

describe('McpToolbox over stdio', () => {
  let box: McpToolbox;
  const logs: string[] = [];
  before(() => {
    box = new McpToolbox([{ ...files, roles: ['Software Engineer'] }], { log: (m, f) => logs.push(`${m} ${JSON.stringify(f)}`) });
  });
  after(() => box.close());

  test('lists the tools of the servers for the role, named <server>__<tool>, with their schemas', async () => {
    assert.deepEqual(await box.tools('QA Engineer'), []);
    assert.equal(box.has('files__add'), false);
    const tools = await box.tools('software-engineer');
    const add = tools.find((t) => t.name === 'files__add');
    assert.ok(add, tools.map((t) => t.name).join(', '));
    assert.equal(add.source, 'mcp:files');
    assert.equal(add.description, 'Adds two numbers');
    assert.equal(add.inputSchema.type, 'object');
    assert.deepEqual(Object.keys(add.inputSchema.properties as object), ['a', 'b']);
    assert.deepEqual(add.inputSchema.required, ['a', 'b']);
    assert.ok(box.has('files__add'));
    assert.ok(box.has('files__get_time'), 'a dot becomes _');
    const long = tools.filter((t) => t.name.startsWith('files__long_')).map((t) => t.name);
    assert.equal(long.length, 2);
    assert.ok(
      long.every((n) => n.length === 64 && /^[A-Za-z0-9_-]+$/.test(n)),
      long.join(', '),
    );
    assert.notEqual(long[0], long[1], 'names cut to 64 characters stay distinct');
    assert.ok(tools.every((t) => /^[A-Za-z0-9_-]{1,64}$/.test(t.name)));
    // Cached: the same server process answers the second listing.
    const pid = readFileSync(pidFile, 'utf8');
    assert.deepEqual(await box.tools('Software Engineer'), tools);
    assert.equal(readFileSync(pidFile, 'utf8'), pid);
  });

  test('calls: text results, env of the config, arguments as JSON text, other content described', async () => {
    await box.tools('Software Engineer');
    assert.deepEqual(await box.call('files__add', { a: 2, b: 3 }), { ok: true, text: '5' });
    assert.deepEqual(await box.call('files__add', '{"a":1,"b":1}'), { ok: true, text: '2' });
    assert.deepEqual(await box.call('files__env', {}), { ok: true, text: 'bar' });
    assert.deepEqual(await box.call('files__get_time', undefined), { ok: true, text: 'noon' });
    assert.deepEqual(await box.call('files__picture', {}), { ok: true, text: 'here it is:\n[image content omitted]' });
    const [first, second] = (await box.tools('Software Engineer')).filter((t) => t.name.startsWith('files__long_'));
    assert.deepEqual([(await box.call(first.name, {})).text, (await box.call(second.name, {})).text].sort(), ['one', 'two']);
  });

  test('tool errors, bad arguments and unknown tools are outcomes the model reads, not exceptions', async () => {
    await box.tools('Software Engineer');
    const failed = await box.call('files__fail', {});
    assert.equal(failed.ok, false);
    assert.match(failed.text, /disk on fire/);
    const bad = await box.call('files__add', { a: 'two' });
    assert.equal(bad.ok, false);
    assert.match(bad.text, /Input validation error.*expected number, received string at a/s);
    assert.deepEqual(await box.call('files__add', '[1,2]'), { ok: false, text: 'the arguments must be a JSON object' });
    const unknown = await box.call('files__nope', {});
    assert.equal(unknown.ok, false);
    assert.match(unknown.text, /unknown tool "files__nope"; MCP tools: .*files__add/);
  });

  test('a result over 64 KiB is cut, with a note at its end', async () => {
    await box.tools('Software Engineer');
    const big = await box.call('files__big', {});
    assert.equal(big.ok, true);
    assert.equal(big.truncated, true);
    assert.ok(big.text.length <= MCP_RESULT_CHARS && big.text.length > MCP_RESULT_CHARS - 200, String(big.text.length));
    assert.match(big.text, /^x+\n\[truncated: the result had 100000 characters; this is the first part\]$/);
    assert.equal((await box.call('files__add', { a: 1, b: 2 })).truncated, undefined);
  });

  test('timeoutMs gives a timed-out outcome; an aborted signal rejects with its reason', async () => {
    await box.tools('Software Engineer');
    const started = Date.now();
    const slow = await box.call('files__slow', {}, { timeoutMs: 200 });
    assert.deepEqual(slow, { ok: false, text: 'tool files__slow timed out after 200 ms' });
    assert.ok(Date.now() - started < 3000);
    const controller = new AbortController();
    const reason = new Error('turn cancelled');
    setTimeout(() => controller.abort(reason), 100);
    await assert.rejects(box.call('files__slow', {}, { signal: controller.signal }), (err) => err === reason);
    await assert.rejects(box.call('files__add', { a: 1, b: 1 }, { signal: controller.signal }), (err) => err === reason);
    // The connection survives both.
    assert.deepEqual(await box.call('files__add', { a: 1, b: 1 }), { ok: true, text: '2' });
  });

  test('close() ends the stdio child; the toolbox reconnects when used again', async () => {
    await box.tools('Software Engineer');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(pid));
    await box.close();
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false, `server ${pid} still runs`);
    assert.deepEqual(await box.call('files__add', { a: 4, b: 4 }), { ok: true, text: '8' });
    assert.notEqual(Number(readFileSync(pidFile, 'utf8')), pid);
  });
});

describe('McpToolbox over streamable HTTP, and servers that are not there', () => {
  let docs: Awaited<ReturnType<typeof startMcpHttpServer>>;
  before(async () => {
    docs = await startMcpHttpServer();
  });
  after(() => docs.close());

  test('lists and calls the tools of an HTTP server, sending the configured headers', async () => {
    const box = new McpToolbox([{ name: 'docs', url: docs.url, headers: { Authorization: 'Bearer x' } }]);
    try {
      const tools = await box.tools('QA Engineer');
      assert.deepEqual(
        tools.map((t) => [t.name, t.source, Object.keys(t.inputSchema.properties as object)]),
        [['docs__search', 'mcp:docs', ['query']]],
      );
      assert.deepEqual(await box.call('docs__search', { query: 'retry policy' }), { ok: true, text: 'found: retry policy' });
      assert.ok(docs.headers.length > 0 && docs.headers.every((h) => h.authorization === 'Bearer x'));
    } finally {
      await box.close();
    }
  });

  test('a server that cannot start or be reached is skipped with a warning; the others still serve', async () => {
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const servers: McpServerConfig[] = [
      { name: 'gone', url: `http://127.0.0.1:${await freePort()}/mcp` },
      { name: 'nocmd', command: path.join(tmp.dir, 'no-such-server') },
      { name: 'crash', command: process.execPath, args: ['-e', 'console.error("no config here"); process.exit(3)'] },
      { name: 'docs', url: docs.url },
    ];
    const box = new McpToolbox(servers, { log: (msg, fields) => warnings.push({ msg, fields }) });
    try {
      const tools = await box.tools('Software Engineer');
      assert.deepEqual(
        tools.map((t) => t.name),
        ['docs__search'],
      );
      const skipped = warnings.filter((w) => /unavailable/.test(w.msg));
      assert.deepEqual(skipped.map((w) => w.fields?.server).sort(), ['crash', 'gone', 'nocmd']);
      assert.match(String(skipped.find((w) => w.fields?.server === 'crash')?.fields?.error), /no config here/);
      assert.equal(box.has('docs__search'), true);
    } finally {
      await box.close();
    }
  });
});
