/**
 * Resolution order of the Temporal CLI, with fake `temporal` and `go` executables in a temp dir.
 * Hermetic: PATH holds only the fakes and a few coreutils, so no network and no real build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ResolveTemporalOptions } from '../../src/temporal/binary';
import { resolveTemporalBinary, temporalCacheDir, TemporalNotFoundError } from '../../src/temporal/binary';
import { goVersionSupported } from '../../src/temporal/go-install';

let root: string;
let fakeBin: string;
let env: NodeJS.ProcessEnv;
let logs: string[];

function writeScript(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

function fakeTemporal(file: string, version = '1.5.1'): string {
  return writeScript(file, `echo "temporal version ${version} (Server 1.29.1, UI 2.42.1)"`);
}

type ModDownload = 'ok' | 'proxy-down' | 'sumdb-down' | 'hang';

/** A fake `go`: `env` prints version/proxy/sumdb, `mod download` per mode, `install` writes a fake temporal into $GOBIN. */
function fakeGo(opts: { version?: string; modDownload?: ModDownload } = {}): void {
  const mod: Record<ModDownload, string> = {
    ok: 'echo "{}"',
    'proxy-down':
      'echo \'{"Error": "github.com/temporalio/cli@v1.5.1: Get \\"https://goproxy.example/github.com/temporalio/cli/@v/v1.5.1.info\\": dial tcp: lookup goproxy.example: no such host"}\'; exit 1',
    'sumdb-down':
      'echo "verifying github.com/temporalio/cli@v1.5.1: github.com/temporalio/cli@v1.5.1: Get \\"https://sumdb.example/lookup/github.com/temporalio/cli@v1.5.1\\": dial tcp: i/o timeout" >&2; exit 1',
    hang: 'exec sleep 30',
  };
  writeScript(
    path.join(fakeBin, 'go'),
    `case "$1" in
  env) echo ${opts.version ?? 'go1.26.0'}; echo https://goproxy.example,direct; echo sumdb.example ;;
  mod) ${mod[opts.modDownload ?? 'ok']} ;;
  install)
    echo "GOTOOLCHAIN=$GOTOOLCHAIN CGO_ENABLED=$CGO_ENABLED GOBIN=$GOBIN" >> "${root}/go-install.calls"
    echo "go: downloading example.com/dep v1.0.0" >&2
    echo "example.com/dep" >&2
    mkdir -p "$GOBIN"
    printf '#!/bin/sh\\necho "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"\\n' > "$GOBIN/temporal"
    chmod +x "$GOBIN/temporal" ;;
esac`,
  );
}

function goInstallCalls(): string[] {
  const file = path.join(root, 'go-install.calls');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
}

function resolve(extra: Partial<ResolveTemporalOptions> = {}) {
  return resolveTemporalBinary({ env, log: (l) => logs.push(l), goCandidates: [], ...extra, allowSdkDownload: false });
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-binary-'));
  fakeBin = path.join(root, 'bin');
  const tools = path.join(root, 'tools');
  fs.mkdirSync(fakeBin);
  fs.mkdirSync(tools);
  for (const tool of ['mkdir', 'chmod', 'sleep']) {
    const real = ['/bin', '/usr/bin'].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (real) fs.symlinkSync(real, path.join(tools, tool));
  }
  env = { PATH: `${fakeBin}${path.delimiter}${tools}`, HOME: root, XDG_CACHE_HOME: path.join(root, 'cache') };
  logs = [];
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveTemporalBinary', () => {
  test('TEMPORAL_CLI comes first, even with temporal on PATH', async () => {
    const chosen = fakeTemporal(path.join(root, 'elsewhere', 'temporal'), '1.4.0');
    fakeTemporal(path.join(fakeBin, 'temporal'));
    env.TEMPORAL_CLI = chosen;
    assert.deepEqual(await resolve(), { path: chosen, source: 'env', version: '1.4.0' });
    assert.match(logs.join('\n'), /using temporal from TEMPORAL_CLI: /);
  });

  test('a TEMPORAL_CLI that does not exist is an error, not a fallback', async () => {
    fakeTemporal(path.join(fakeBin, 'temporal'));
    env.TEMPORAL_CLI = path.join(root, 'missing', 'temporal');
    await assert.rejects(resolve(), /TEMPORAL_CLI=.*does not exist/);
  });

  test('temporal on PATH comes before the cache', async () => {
    const onPath = fakeTemporal(path.join(fakeBin, 'temporal'));
    fakeTemporal(path.join(temporalCacheDir(env), 'temporal'));
    assert.deepEqual(await resolve(), { path: onPath, source: 'path', version: '1.5.1' });
    assert.match(logs.join('\n'), /using temporal from PATH: /);
  });

  test('a broken temporal on PATH is skipped', async () => {
    writeScript(path.join(fakeBin, 'temporal'), 'echo boom >&2; exit 3');
    const cached = fakeTemporal(path.join(temporalCacheDir(env), 'temporal'), '0.0.0-DEV');
    assert.deepEqual(await resolve(), { path: cached, source: 'cache', version: '1.5.1' });
    assert.match(logs.join('\n'), /ignoring .* on PATH/);
  });

  test('the cache lives under XDG_CACHE_HOME, outside the repo', () => {
    assert.equal(temporalCacheDir(env), path.join(root, 'cache', 'beadflow', 'temporal-v1.5.1'));
    assert.equal(temporalCacheDir({ HOME: '/home/u' }), '/home/u/.cache/beadflow/temporal-v1.5.1');
  });

  test('go install builds into the cache, pinned and without cgo or toolchain downloads', async () => {
    fakeGo();
    const cached = path.join(temporalCacheDir(env), 'temporal');
    assert.deepEqual(await resolve(), { path: cached, source: 'go-install', version: '1.5.1' });
    const [call] = goInstallCalls();
    assert.match(call, /GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN=.*\.build-\d+$/);
    assert.ok(!fs.existsSync(path.join(temporalCacheDir(env), 'build.lock')), 'lock released');
    assert.match(logs.join('\n'), /takes 3-6 minutes/);

    // The next run uses the cache, no second build.
    assert.equal((await resolve()).source, 'cache');
    assert.equal(goInstallCalls().length, 1);
  });

  test('two concurrent resolutions build once (the lock)', async () => {
    fakeGo();
    const [a, b] = await Promise.all([resolve({ timeouts: { lockWaitMs: 20_000 } }), resolve({ timeouts: { lockWaitMs: 20_000 } })]);
    assert.equal(a.path, b.path);
    assert.deepEqual([a.source, b.source].sort(), ['cache', 'go-install']);
    assert.equal(goInstallCalls().length, 1);
  });

  test('a stale lock (its process is gone) is removed', async () => {
    fakeGo();
    const deadPid = spawnSync('true').pid;
    fs.mkdirSync(temporalCacheDir(env), { recursive: true });
    fs.writeFileSync(path.join(temporalCacheDir(env), 'build.lock'), JSON.stringify({ pid: deadPid, host: os.hostname(), startedAt: 'x' }));
    assert.equal((await resolve()).source, 'go-install');
    assert.match(logs.join('\n'), /removing stale build lock/);
  });

  test('a Go older than 1.25 is not used', async () => {
    fakeGo({ version: 'go1.22.5' });
    await assert.rejects(resolve(), (err: Error) => {
      assert.ok(err instanceof TemporalNotFoundError);
      assert.match(err.message, /go1\.22\.5 .* older than Go 1\.25/);
      return true;
    });
    assert.equal(goInstallCalls().length, 0);
  });

  test('an unreachable module proxy is named as such', async () => {
    fakeGo({ modDownload: 'proxy-down' });
    await assert.rejects(resolve(), /Go module proxy \(GOPROXY=https:\/\/goproxy\.example,direct\) cannot be reached/);
  });

  test('an unreachable checksum database is named as such', async () => {
    fakeGo({ modDownload: 'sumdb-down' });
    await assert.rejects(resolve(), /checksum database \(GOSUMDB=sumdb\.example\) cannot be reached.*GOSUMDB=off/);
  });

  test('a network that does not answer times out instead of hanging', async () => {
    fakeGo({ modDownload: 'hang' });
    const started = Date.now();
    await assert.rejects(resolve({ timeouts: { preflightMs: 300 } }), /no answer within .* unreachable/);
    assert.ok(Date.now() - started < 10_000);
  });

  test('with nothing available: the SDK download when allowed, else install instructions', async () => {
    const fallback = await resolveTemporalBinary({ env, log: () => {}, goCandidates: [], allowSdkDownload: true });
    assert.equal(fallback.source, 'sdk-download');
    await assert.rejects(resolve(), (err: Error) => {
      assert.ok(err instanceof TemporalNotFoundError);
      assert.match(err.message, /no `temporal` on PATH/);
      assert.match(err.message, /no `go` to build it with/);
      assert.match(err.message, /go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
      assert.match(err.message, /TEMPORAL_CLI=/);
      return true;
    });
  });
});

test('goVersionSupported', () => {
  assert.ok(goVersionSupported('go1.25.0'));
  assert.ok(goVersionSupported('go1.26.8'));
  assert.ok(goVersionSupported('go2.0'));
  assert.ok(!goVersionSupported('go1.24.9'));
  assert.ok(!goVersionSupported('go1.9'));
});
