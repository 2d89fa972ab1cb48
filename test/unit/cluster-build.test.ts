/**
 * Building the cluster programs with a fake `go` (hermetic: no network, no real build): the
 * packages and flags go install gets, the cache layout, the schema copied out of the module
 * directory `go mod download -json` names, and the build lock (two resolutions, one build).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { clusterCacheDir, missingClusterParts, resolveClusterBinaries } from '../../src/temporal/cluster-binaries';

let root: string;
let env: NodeJS.ProcessEnv;

function writeScript(file: string, body: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-cluster-build-'));
  const modDir = path.join(root, 'modcache', 'server@v1.29.1');
  for (const db of ['temporal', 'visibility']) {
    fs.mkdirSync(path.join(modDir, 'schema', 'postgresql', 'v12', db, 'versioned', 'v1.0'), { recursive: true });
    fs.writeFileSync(path.join(modDir, 'schema', 'postgresql', 'v12', db, 'versioned', 'v1.0', 'manifest.json'), '{}');
  }
  fs.chmodSync(path.join(modDir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned', 'v1.0', 'manifest.json'), 0o444);
  const bin = path.join(root, 'bin');
  writeScript(
    path.join(bin, 'go'),
    `case "$1" in
  env) echo go1.26.0; echo https://goproxy.example,direct; echo sumdb.example ;;
  mod) echo "$@" >> "${root}/calls"; echo '{"Path": "go.temporal.io/server", "Dir": "${modDir}"}' ;;
  install)
    echo "GOTOOLCHAIN=$GOTOOLCHAIN CGO_ENABLED=$CGO_ENABLED $*" >> "${root}/calls"
    sleep 0.2
    last=$(eval echo \\\${$#}); name=$(basename "\${last%@*}")
    mkdir -p "$GOBIN"; printf '#!/bin/sh\\necho built\\n' > "$GOBIN/$name"; chmod +x "$GOBIN/$name" ;;
esac`,
  );
  env = { PATH: `${bin}:/usr/bin:/bin`, HOME: root, XDG_CACHE_HOME: path.join(root, 'cache') };
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function calls(): string[] {
  return fs.readFileSync(path.join(root, 'calls'), 'utf8').trim().split('\n');
}

test('builds the server, the SQL tool and the UI server into the cache and copies the schema out of the module', async () => {
  const logs: string[] = [];
  const bins = await resolveClusterBinaries({ env, log: (l) => logs.push(l), timeouts: { progressEveryMs: 60_000 } });
  const dir = clusterCacheDir(env);
  assert.equal(bins.dir, dir);
  assert.deepEqual(missingClusterParts(dir), []);
  assert.deepEqual(calls(), [
    'mod download -json go.temporal.io/server@v1.29.1',
    'GOTOOLCHAIN=local CGO_ENABLED=0 install -v go.temporal.io/server/cmd/server@v1.29.1',
    'GOTOOLCHAIN=local CGO_ENABLED=0 install -v go.temporal.io/server/cmd/tools/sql@v1.29.1',
    'GOTOOLCHAIN=local CGO_ENABLED=0 install -v github.com/temporalio/ui-server/v2/cmd/server@v2.42.1',
  ]);
  assert.ok(fs.existsSync(path.join(bins.schemaDir, 'visibility', 'versioned', 'v1.0', 'manifest.json')));
  assert.ok(
    fs.readdirSync(dir).every((f) => !f.startsWith('.build-') && f !== 'build.lock'),
    'no leftovers',
  );
  assert.ok(logs.some((l) => l.includes('building the Temporal cluster programs')));
  // Everything present: nothing is built again.
  await resolveClusterBinaries({ env, log: () => undefined });
  assert.equal(calls().length, 4);
});

test('two concurrent resolutions build once (the lock)', async () => {
  const [a, b] = await Promise.all([
    resolveClusterBinaries({ env, log: () => undefined, timeouts: { progressEveryMs: 60_000 } }),
    resolveClusterBinaries({ env, log: () => undefined, timeouts: { progressEveryMs: 60_000 } }),
  ]);
  assert.deepEqual(a, b);
  assert.equal(calls().filter((c) => c.includes('install')).length, 3);
});
