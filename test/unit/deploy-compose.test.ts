/**
 * docker-compose.yml, the Dockerfile and deploy/temporal/ checked without a Docker engine: what the
 * compose file promises (upstream images pinned, no auto-setup, loopback ports, healthchecks,
 * secrets from .env, the schema → server → setup → worker order), that the server config and the
 * dynamic config match `beadflow server --cluster`, that the setup scripts do what they say (run
 * against fake tools), and, when the cluster programs are built, that Temporal's own server binary
 * accepts the config and the dynamic config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { searchAttributeCliArgs } from '../../src/shared/search-attributes';
import { clusterCacheDir, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../src/temporal/cluster-binaries';
import { CLUSTER_DYNAMIC_CONFIG, MAX_MEMBERSHIP_PORT, renderDynamicConfig } from '../../src/temporal/cluster-config';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Service = Record<string, unknown> & {
  image?: string;
  build?: unknown;
  ports?: unknown[];
  volumes?: unknown[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  restart?: string;
  command?: string[];
  entrypoint?: string[];
};

/** Compose's interpolation with nothing set: `${X:-d}` → d, `${X:?m}` / `${X}` → `<X>`, `$$` → `$`. */
function interpolate(s: string): string {
  return s
    .replace(/\$\{([A-Za-z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) =>
      op?.endsWith('-') ? arg : `<${name}>`,
    )
    .replace(/\$\$/g, '$');
}

function loadCompose(text = read('docker-compose.yml')): { services: Record<string, Service>; raw: string } {
  const doc = YAML.parse(text, { merge: true }) as { services: Record<string, Service> };
  return { services: doc.services, raw: text };
}

const compose = loadCompose();
const svc = (name: string): Service => {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has no service ${name}`);
  return s;
};
const env = (s: Service, key: string): string => interpolate(String(s.environment?.[key] ?? ''));

/** Image references of the compose services and the Dockerfile's stages, variables at their defaults. */
function images(): Array<{ where: string; ref: string }> {
  const fromCompose = Object.entries(compose.services)
    .filter(([, s]) => s.image)
    .map(([name, s]) => ({ where: `service ${name}`, ref: interpolate(s.image!) }));
  const dockerfile = read('Dockerfile');
  const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
  const fromDockerfile = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)]
    .map((m) => m[1].replace(/\$\{(\w+)\}/g, (_x, n: string) => args[n] ?? `<${n}>`))
    .filter((ref) => !/^[a-z]+$/.test(ref)) // `FROM build`: a stage, not an image
    .map((ref) => ({ where: 'Dockerfile', ref }));
  return [...fromCompose, ...fromDockerfile];
}

function tagOf(ref: string): string | undefined {
  const name = ref.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : undefined;
}

/** Renders deploy/temporal/config/beadflow.yaml the way the server does, for the two forms it uses. */
function renderServerTemplate(vars: Record<string, string>): string {
  const text = read('deploy/temporal/config/beadflow.yaml');
  assert.match(text.slice(0, 1024), /#.*enable-template/, 'the server only renders a file that says enable-template in its first 1 KB');
  const out = text
    .replace(/\{\{\s*env "(\w+)" \| default "([^"]*)"\s*\}\}/g, (_m, name: string, def: string) => vars[name] || def)
    .replace(/\{\{\s*env "(\w+)" \| quote\s*\}\}/g, (_m, name: string) => JSON.stringify(vars[name] ?? ''));
  assert.doesNotMatch(out, /\{\{|\}\}/, 'a template form this test does not render (keep to env | default and env | quote)');
  return out;
}

test('images: upstream and pinned, no deprecated auto-setup; Temporal images at the versions the cluster builds', () => {
  const all = images();
  assert.ok(all.length >= 6, `images found: ${all.map((i) => i.ref).join(', ')}`);
  for (const { where, ref } of all) {
    assert.doesNotMatch(ref, /temporalio\/auto-setup/, `${where}: temporalio/auto-setup is deprecated`);
    const tag = tagOf(ref);
    assert.ok(tag && tag !== 'latest' && !tag.startsWith('<'), `${where}: ${ref} is not pinned to a tag`);
  }
  assert.equal(svc('temporal').image, `temporalio/server:${TEMPORAL_SERVER_VERSION}`);
  for (const name of ['temporal-schema', 'temporal-setup']) {
    assert.match(svc(name).image ?? '', new RegExp(`^temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}(-|$)`), name);
  }
  assert.equal(svc('temporal-ui').image, `temporalio/ui:${TEMPORAL_UI_VERSION}`);
});

test('ports: every published port binds 127.0.0.1', () => {
  let count = 0;
  for (const [name, s] of Object.entries(compose.services)) {
    for (const p of s.ports ?? []) {
      count++;
      if (typeof p === 'object' && p) {
        assert.equal((p as { host_ip?: string }).host_ip, '127.0.0.1', `${name}: ${JSON.stringify(p)}`);
      } else {
        assert.match(
          interpolate(String(p)),
          /^127\.0\.0\.1:\d+:\d+(\/(tcp|udp))?$/,
          `${name}: "${String(p)}" must be "127.0.0.1:HOST:CONTAINER"`,
        );
      }
    }
  }
  assert.ok(count >= 3, 'the server, the Web UI and the ledger are published');
});

test('healthchecks: every long-running service has one; one-shots do not restart; dependencies wait on the right condition', () => {
  const dockerfile = read('Dockerfile');
  for (const [name, s] of Object.entries(compose.services)) {
    if (s.restart === 'no') continue; // one-shot
    const own = s.healthcheck && !s.healthcheck.disable && s.healthcheck.test;
    const fromImage = s.build !== undefined && /^HEALTHCHECK\s+(?!NONE)/m.test(dockerfile);
    assert.ok(own || fromImage, `long-running service ${name} has no healthcheck`);
  }
  const expected: Record<string, Record<string, string>> = {
    'temporal-schema': { 'temporal-db': 'service_healthy' },
    temporal: { 'temporal-schema': 'service_completed_successfully' },
    'temporal-setup': { temporal: 'service_healthy' },
    worker: { 'temporal-setup': 'service_completed_successfully', 'ledger-db': 'service_healthy' },
  };
  for (const [name, deps] of Object.entries(expected)) {
    for (const [dep, condition] of Object.entries(deps)) {
      assert.equal(svc(name).depends_on?.[dep]?.condition, condition, `${name} depends on ${dep} with ${condition}`);
    }
  }
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      assert.ok(compose.services[dep], `${name} depends on a service that does not exist: ${dep}`);
      if (d.condition === 'service_completed_successfully') assert.equal(svc(dep).restart, 'no', `${dep} is waited for as a one-shot`);
    }
  }
});

test('secrets: passwords only from .env (required, no default), .env ignored by git and by the image build', () => {
  for (const secret of ['TEMPORAL_DB_PASSWORD', 'LEDGER_DB_PASSWORD']) {
    const uses = [...compose.raw.matchAll(new RegExp(`\\$\\{${secret}([^}]*)\\}`, 'g'))].map((m) => m[1]);
    assert.ok(uses.length > 0, `${secret} is not used`);
    for (const u of uses) assert.match(u, /^:\?./, `\${${secret}${u}}: a required secret takes :? and a message, never a default`);
    assert.match(read('.env.example'), new RegExp(`^${secret}=$`, 'm'), `.env.example lists ${secret}, empty`);
  }
  // No literal password left in an environment block.
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(s.environment ?? {})) {
      if (/PASSWORD|PWD/.test(key)) assert.match(String(value), /^\$\{\w+:\?/, `${name}.${key} is a literal`);
    }
  }
  assert.ok(read('.gitignore').split('\n').includes('.env'), '.gitignore has .env');
  const dockerignore = read('.dockerignore').split('\n');
  for (const entry of ['.env', 'node_modules', '.git', '.beadflow']) assert.ok(dockerignore.includes(entry), `.dockerignore has ${entry}`);
});

test('worker: built from the Dockerfile with an init, env_file .env, scalable, after setup', () => {
  const w = svc('worker');
  assert.ok(w.build === '.' || (w.build as { context?: string })?.context === '.', 'built from this directory');
  assert.equal(w.init, true);
  const envFiles = ([] as unknown[]).concat(w.env_file ?? []).map((e) => (typeof e === 'string' ? e : (e as { path: string }).path));
  assert.ok(envFiles.includes('.env'), `env_file: ${JSON.stringify(w.env_file)}`);
  const replicas = (w.deploy as { replicas?: unknown } | undefined)?.replicas;
  assert.ok(replicas !== undefined && Number(interpolate(String(replicas))) >= 1, 'deploy.replicas');
  assert.equal(w.container_name, undefined, 'a container_name would make --scale impossible');
  assert.equal(w.ports, undefined, 'a published port would make --scale clash');
  assert.equal(env(w, 'TEMPORAL_ADDRESS'), 'temporal:7233');
  assert.match(env(w, 'DATABASE_URL'), /^postgres:\/\/beadflow:<LEDGER_DB_PASSWORD>@ledger-db:5432\/beadflow$/);
});

test('server: our config and dynamic config files, mounted from the repo; all of them exist', () => {
  const t = svc('temporal');
  const mounts = (t.volumes ?? []).map((v) => String(v).split(':'));
  const mount = mounts.find(([, target]) => target === '/etc/beadflow/temporal');
  assert.ok(mount, `deploy/temporal mounted at /etc/beadflow/temporal: ${JSON.stringify(t.volumes)}`);
  assert.equal(path.normalize(mount[0]), 'deploy/temporal');
  const args = [...(t.entrypoint ?? []), ...(t.command ?? [])];
  assert.equal(args[0], 'temporal-server', 'our config, not the image entrypoint rendering its own template');
  const flag = (f: string) => args[args.indexOf(f) + 1];
  const configFile = path.join(
    mount[0],
    path.relative('/etc/beadflow/temporal', path.join(flag('--root'), flag('--config'))),
    `${flag('--env')}.yaml`,
  );
  assert.equal(configFile, 'deploy/temporal/config/beadflow.yaml');
  const dynamic = env(t, 'DYNAMIC_CONFIG_FILE_PATH');
  assert.ok(dynamic.startsWith('/etc/beadflow/temporal/'), dynamic);
  const dynamicFile = path.join(mount[0], path.relative('/etc/beadflow/temporal', dynamic));
  for (const file of [configFile, dynamicFile]) assert.ok(existsSync(path.join(ROOT, file)), `${file} exists`);
  // Every bind mount's source is in the repository.
  for (const [name, s] of Object.entries(compose.services)) {
    for (const v of s.volumes ?? []) {
      const source = String(v).split(':')[0];
      if (source.startsWith('.')) assert.ok(existsSync(path.join(ROOT, source)), `${name}: ${source} does not exist`);
    }
  }
});

test('server config: postgres12 on temporal-db, shards from NUM_HISTORY_SHARDS (default 4), ports below 32768, our dynamic config', () => {
  const t = svc('temporal');
  const vars = Object.fromEntries(Object.keys(t.environment ?? {}).map((k) => [k, env(t, k)]));
  const cfg = YAML.parse(renderServerTemplate(vars)) as {
    persistence: {
      numHistoryShards: number;
      datastores: Record<string, { sql: { pluginName: string; connectAddr: string; password: string } }>;
    };
    services: Record<string, { rpc: { grpcPort: number; membershipPort: number; httpPort?: number; bindOnIP: string } }>;
    global: { membership: { broadcastAddress: string } };
    dynamicConfigClient: { filepath: string };
  };
  assert.equal(cfg.persistence.numHistoryShards, 4);
  assert.equal(YAML.parse(renderServerTemplate({})).persistence.numHistoryShards, 4, 'default 4, like --cluster');
  assert.equal(YAML.parse(renderServerTemplate({ NUM_HISTORY_SHARDS: '7' })).persistence.numHistoryShards, 7);
  assert.deepEqual(Object.keys(cfg.persistence.datastores).sort(), ['default', 'visibility']);
  for (const [name, store] of Object.entries(cfg.persistence.datastores)) {
    assert.equal(store.sql.pluginName, 'postgres12', name);
    assert.equal(store.sql.connectAddr, 'temporal-db:5432', name);
    assert.equal(store.sql.password, '<TEMPORAL_DB_PASSWORD>', `${name}: the password comes from the environment`);
  }
  assert.equal(
    YAML.parse(renderServerTemplate({ POSTGRES_PWD: 'a"b\\c' })).persistence.datastores.default.sql.password,
    'a"b\\c',
    'quoted',
  );
  assert.deepEqual(Object.keys(cfg.services).sort(), ['frontend', 'history', 'matching', 'worker']);
  const ports: number[] = [];
  for (const [name, s] of Object.entries(cfg.services)) {
    for (const p of [s.rpc.grpcPort, s.rpc.membershipPort, s.rpc.httpPort].filter((x) => x !== undefined)) {
      assert.ok(
        Number.isInteger(p) && p > 0 && p <= MAX_MEMBERSHIP_PORT,
        `${name}: port ${p} must be below 32768 (SMALLINT in cluster_membership)`,
      );
      ports.push(p);
    }
    assert.equal(s.rpc.bindOnIP, '0.0.0.0', `${name} reachable from the other containers`);
  }
  assert.equal(new Set(ports).size, ports.length, 'distinct ports');
  assert.equal(cfg.services.frontend.rpc.grpcPort, 7233);
  // Binding 0.0.0.0 needs a broadcast IP: the server's fixed address on the compose network.
  const ip = (t.networks as { default?: { ipv4_address?: string } } | undefined)?.default?.ipv4_address;
  assert.ok(
    ip && cfg.global.membership.broadcastAddress === interpolate(ip),
    `broadcastAddress ${cfg.global.membership.broadcastAddress} = ipv4_address ${ip}`,
  );
  assert.equal(cfg.dynamicConfigClient.filepath, env(t, 'DYNAMIC_CONFIG_FILE_PATH'));
});

test('dynamic config: the same keys and values as `beadflow server --cluster` writes', () => {
  const file = YAML.parse(read('deploy/temporal/dynamicconfig.yaml')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(file).sort(), Object.keys(CLUSTER_DYNAMIC_CONFIG).sort());
  assert.deepEqual(file, YAML.parse(renderDynamicConfig(CLUSTER_DYNAMIC_CONFIG)));
});

test('search attributes: compose registers exactly the ones the code registers', () => {
  const registered = env(svc('temporal-setup'), 'BEADFLOW_SEARCH_ATTRIBUTES').split(/\s+/).filter(Boolean);
  const code = searchAttributeCliArgs().filter((a) => a !== '--search-attribute');
  assert.deepEqual(registered, code);
});

/** A directory with executable fakes on PATH: `name` → sh body. */
function fakeBin(fakes: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-deploy-'));
  mkdirSync(path.join(dir, 'bin'));
  for (const [name, body] of Object.entries(fakes)) {
    writeFileSync(path.join(dir, 'bin', name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, 'bin', name), 0o755);
  }
  return dir;
}

function runScript(script: string, dir: string, vars: Record<string, string>) {
  return spawnSync('sh', [path.join(ROOT, script)], {
    env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, HOME: dir, ...vars },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('schema.sh: create-database, setup-schema -v 0.0 and update-schema for both databases, stops at the first failure', (t) => {
  const dir = fakeBin({ 'temporal-sql-tool': `echo "$*" >> "$HOME/calls"; case "$*" in *"$FAIL_ON"*) exit 3;; esac` });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const schema = path.join(dir, 'schema');
  for (const d of ['temporal', 'visibility']) mkdirSync(path.join(schema, d, 'versioned'), { recursive: true });
  const vars = { POSTGRES_SEEDS: 'temporal-db', POSTGRES_USER: 'temporal', SQL_PASSWORD: 's', SCHEMA_DIR: schema, FAIL_ON: 'no-such-call' };
  const ok = runScript('deploy/temporal/schema.sh', dir, vars);
  assert.equal(ok.status, 0, ok.stderr);
  const base = '--plugin postgres12 --ep temporal-db -p 5432 -u temporal';
  assert.deepEqual(readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n'), [
    `${base} --db temporal create-database`,
    `${base} --db temporal setup-schema -v 0.0`,
    `${base} --db temporal update-schema -d ${schema}/temporal/versioned`,
    `${base} --db temporal_visibility create-database`,
    `${base} --db temporal_visibility setup-schema -v 0.0`,
    `${base} --db temporal_visibility update-schema -d ${schema}/visibility/versioned`,
  ]);
  rmSync(path.join(dir, 'calls'));
  const failed = runScript('deploy/temporal/schema.sh', dir, { ...vars, FAIL_ON: 'temporal setup-schema' });
  assert.equal(failed.status, 3);
  assert.equal(readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n').length, 2, 'nothing after the failed step');
  const noPassword = runScript('deploy/temporal/schema.sh', dir, { ...vars, SQL_PASSWORD: '' });
  assert.notEqual(noPassword.status, 0);
  assert.match(noPassword.stderr, /SQL_PASSWORD/);
});

// A fake `temporal` CLI: the namespace exists once created, attributes are listed once created
// unless DROP names one the server "forgets" (so only the verification can catch it).
const FAKE_TEMPORAL = `
state="$HOME/state"; touch "$state"
echo "$*" >> "$HOME/calls"
case "$*" in
  *"cluster health"*) echo SERVING ;;
  *"namespace describe"*) grep -q '^ns$' "$state" ;;
  *"namespace create"*) echo ns >> "$state" ;;
  *"search-attribute create"*)
    name=$(echo "$*" | sed 's/.*--name \\([^ ]*\\).*/\\1/'); type=$(echo "$*" | sed 's/.*--type \\([^ ]*\\).*/\\1/')
    [ "$name" = "$DROP" ] || echo "sa $name $type" >> "$state" ;;
  *"search-attribute list"*)
    echo '{ "customAttributes": {'
    grep '^sa ' "$state" | while read -r _ n ty; do echo "  \\"$n\\": \\"INDEXED_VALUE_TYPE_$(echo "$ty" | tr a-z A-Z)\\","; done
    echo '} }' ;;
esac`;

test('setup.sh: creates the namespace and the attributes, verifies them, fails when one is not listed', (t) => {
  const dir = fakeBin({ temporal: FAKE_TEMPORAL });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const attrs = env(svc('temporal-setup'), 'BEADFLOW_SEARCH_ATTRIBUTES');
  const vars = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'ns', BEADFLOW_SEARCH_ATTRIBUTES: attrs, DROP: '' };
  const ok = runScript('deploy/temporal/setup.sh', dir, vars);
  assert.equal(ok.status, 0, ok.stderr);
  const state = readFileSync(path.join(dir, 'state'), 'utf8');
  for (const a of attrs.split(' ')) assert.ok(state.includes(`sa ${a.replace('=', ' ')}`), a);
  assert.match(readFileSync(path.join(dir, 'calls'), 'utf8'), /namespace create --namespace ns --retention 72h/);
  // Rerun: nothing created again.
  rmSync(path.join(dir, 'calls'));
  assert.equal(runScript('deploy/temporal/setup.sh', dir, vars).status, 0);
  assert.doesNotMatch(readFileSync(path.join(dir, 'calls'), 'utf8'), /create/);

  rmSync(path.join(dir, 'state'));
  const lost = runScript('deploy/temporal/setup.sh', dir, { ...vars, DROP: 'CurrentNode', SETUP_TIMEOUT_SECONDS: '1' });
  assert.notEqual(lost.status, 0, 'an attribute that is never listed fails the setup');
  assert.match(lost.stderr, /CurrentNode/);
});

test('Dockerfile: bundle built and shipped, non-root, tini as the entrypoint, a healthcheck on the metrics port', () => {
  const text = read('Dockerfile');
  const stages = text.split(/^FROM /m).slice(1);
  assert.ok(stages.length >= 2, 'multi-stage');
  const final = stages[stages.length - 1];
  assert.match(stages[0], /npm ci\b/);
  assert.match(stages[0], /npm run (--silent )?bundle/);
  assert.match(text, /BEADFLOW_BUNDLE_CACHE=(\S+)/);
  const caches = [...text.matchAll(/BEADFLOW_BUNDLE_CACHE=(\S+)/g)].map((m) => m[1]);
  assert.equal(new Set(caches).size, 1, `the same bundle directory at build and at run: ${caches.join(', ')}`);
  assert.match(final, new RegExp(`^COPY --from=\\w+ ${caches[0]} `, 'm'), 'the runtime stage copies the bundle');
  const user = final.match(/^USER\s+(\S+)/m)?.[1];
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `non-root USER in the runtime stage, got ${user}`);
  const entrypoint = final.match(/^ENTRYPOINT\s+(.+)$/m)?.[1] ?? '';
  assert.match(entrypoint, /tini/, 'an init as ENTRYPOINT');
  assert.match(final, /apt-get install[^\n]*\btini\b/);
  assert.match(final, /apt-get install[^\n]*\bgit\b/);
  const health = final.match(/^HEALTHCHECK\s+[\s\S]*?CMD\s+(.+)$/m)?.[1] ?? '';
  assert.match(health, /\/metrics/, 'the healthcheck asks the worker');
  assert.match(final, /BEADFLOW_METRICS_PORT=\d+/, 'and the worker serves metrics');
});

// Temporal's own server binary, when `beadflow server --cluster` has built it: it renders and
// validates the config (render-config) and checks the dynamic-config keys and types. CI builds it
// first (.ci/run: test:cluster), so there a missing binary fails these tests instead of skipping them.
const serverBin = path.join(clusterCacheDir(), 'temporal-server');
const noServer =
  existsSync(serverBin) || process.env.CI
    ? false
    : `${serverBin} is not built (npx beadflow server --cluster or npm run test:cluster builds it)`;

test('temporal-server render-config accepts deploy/temporal/config with the compose environment', { skip: noServer }, () => {
  const t = svc('temporal');
  const vars = Object.fromEntries(Object.keys(t.environment ?? {}).map((k) => [k, env(t, k)]));
  const r = spawnSync(serverBin, ['--config', 'config', '--env', 'beadflow', 'render-config'], {
    cwd: path.join(ROOT, 'deploy/temporal'),
    env: { PATH: process.env.PATH, ...vars },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${r.error?.message ?? ''}${r.stdout}\n${r.stderr}`);
  const rendered = YAML.parse(r.stdout) as {
    persistence: { numHistoryShards: number };
    services: Record<string, { rpc: { membershipPort: number } }>;
  };
  assert.equal(rendered.persistence.numHistoryShards, 4);
  for (const [name, s] of Object.entries(rendered.services)) assert.ok(s.rpc.membershipPort <= MAX_MEMBERSHIP_PORT, name);
});

test('temporal-server validate-dynamic-config: every key known, every type right', { skip: noServer }, () => {
  const r = spawnSync(serverBin, ['validate-dynamic-config', path.join(ROOT, 'deploy/temporal/dynamicconfig.yaml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.error?.message ?? ''}${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /warning|error/i);
});
