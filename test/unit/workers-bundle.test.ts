/** The prebuilt workflow bundle: keyed by what webpack would include, built once, rebuilt on change. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundleCacheDir, prebuiltBundle } from '../../src/workers/bundle';
import { bundleKey, bundleSources, packageName } from '../../src/workers/bundle-sources';

let dir: string;

// A tiny workflow project of its own: editing it must not touch the real sources.
function writeProject(root: string, greeting: string): string {
  fs.mkdirSync(path.join(root, 'wf', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{"name":"bundle-fixture","private":true}');
  fs.writeFileSync(path.join(root, 'wf', 'index.ts'), "export { hello } from './hello';\n");
  fs.writeFileSync(
    path.join(root, 'wf', 'hello.ts'),
    `import { sleep } from '@temporalio/workflow';\nimport type { Note } from './lib';\nexport async function hello(): Promise<Note> { await sleep(1); return { text: '${greeting}' }; }\n`,
  );
  fs.writeFileSync(path.join(root, 'wf', 'lib', 'index.ts'), 'export interface Note { text: string }\n');
  fs.writeFileSync(path.join(root, 'unrelated.ts'), 'export const x = 1;\n');
  return path.join(root, 'wf', 'index.ts');
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-bundle-'));
  // The fixture resolves the SDK from the project's node_modules.
  fs.symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules'), path.join(dir, 'node_modules'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bundle sources and key', () => {
  test('follows relative imports (index files, type-only ones too), names bare packages, skips the rest', () => {
    const entry = writeProject(path.join(dir, 'a'), 'hi');
    const { files, packages } = bundleSources([entry]);
    assert.deepEqual(
      files.map((f) => path.relative(path.join(dir, 'a'), f)),
      ['wf/hello.ts', 'wf/index.ts', 'wf/lib/index.ts'],
    );
    assert.deepEqual(packages, ['@temporalio/workflow']);
    assert.equal(packageName('@temporalio/workflow/lib/x'), '@temporalio/workflow');
    assert.equal(packageName('yaml/util'), 'yaml');
  });

  test('a change to an included file changes the key; an unrelated file does not', () => {
    const root = path.join(dir, 'b');
    const entry = writeProject(root, 'hi');
    const first = bundleKey([entry], root);
    fs.writeFileSync(path.join(root, 'unrelated.ts'), 'export const x = 2;\n');
    assert.equal(bundleKey([entry], root), first);
    fs.appendFileSync(path.join(root, 'wf', 'lib', 'index.ts'), 'export type Id = string;\n');
    assert.notEqual(bundleKey([entry], root), first);
    assert.notEqual(bundleKey([entry], root, ['interceptor x']), bundleKey([entry], root), 'options are part of the key');
  });

  test('two checkouts of the same sources share a key', () => {
    const one = writeProject(path.join(dir, 'c1'), 'same');
    const two = writeProject(path.join(dir, 'c2'), 'same');
    assert.equal(bundleKey([one], path.join(dir, 'c1')), bundleKey([two], path.join(dir, 'c2')));
  });
});

describe('bundleCacheDir', () => {
  test('BEADFLOW_BUNDLE_CACHE wins, "off" turns it off, else the XDG cache', () => {
    assert.equal(bundleCacheDir({ BEADFLOW_BUNDLE_CACHE: '/tmp/b' }), '/tmp/b');
    assert.equal(bundleCacheDir({ BEADFLOW_BUNDLE_CACHE: 'off' }), undefined);
    assert.equal(bundleCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/beadflow/workflow-bundles');
  });
});

describe('prebuiltBundle', () => {
  test('builds once, reuses the file, rebuilds after a source change; concurrent builds leave one whole file', async () => {
    const root = path.join(dir, 'd');
    const entry = writeProject(root, 'v1');
    const cache = path.join(dir, 'cache');
    const [a, b] = await Promise.all([prebuiltBundle(entry, cache), prebuiltBundle(entry, cache)]);
    assert.equal(a.codePath, b.codePath);
    assert.ok(a.built && b.built, 'both raced to build: neither saw a half-written file');
    assert.match(fs.readFileSync(a.codePath, 'utf8'), /v1/);
    assert.deepEqual(
      fs.readdirSync(cache).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary files left behind',
    );

    const again = await prebuiltBundle(entry, cache);
    assert.equal(again.built, false);
    assert.equal(again.codePath, a.codePath);

    fs.writeFileSync(path.join(root, 'wf', 'hello.ts'), fs.readFileSync(path.join(root, 'wf', 'hello.ts'), 'utf8').replace('v1', 'v2'));
    const changed = await prebuiltBundle(entry, cache);
    assert.equal(changed.built, true);
    assert.notEqual(changed.codePath, a.codePath);
    assert.match(fs.readFileSync(changed.codePath, 'utf8'), /v2/);
  });

  test('a broken source fails with webpack’s reason and leaves no file', async () => {
    const root = path.join(dir, 'e');
    const entry = writeProject(root, 'x');
    fs.writeFileSync(path.join(root, 'wf', 'index.ts'), "export { hello } from './missing';\n");
    const cache = path.join(dir, 'cache-e');
    await assert.rejects(prebuiltBundle(entry, cache), /bundling the workflow code .* failed[\s\S]*missing/);
    assert.deepEqual(fs.existsSync(cache) ? fs.readdirSync(cache) : [], []);
  });
});
