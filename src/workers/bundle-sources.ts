/**
 * What a workflow bundle is built from, and the cache key over it: the files webpack would pull in
 * through relative imports from the entry, plus the versions of the packages they import. Any
 * change to one of them (or to the SDK) gives a new key, hence a rebuild.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Static and dynamic imports, re-exports and require(): every way a module names another.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'];

/** A relative specifier → the file it names (as webpack resolves it for our sources), if any. */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.slice(1).map((e) => path.join(base, `index${e}`))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.replace(/^node:/, '').split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export interface BundleSources {
  /** Absolute paths of our own files reachable from the entries, sorted. */
  files: string[];
  /** Bare packages they import, sorted. */
  packages: string[];
}

/** Follows relative imports from `entries` (type-only ones too: over-including only costs a rebuild). */
export function bundleSources(entries: string[]): BundleSources {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((e) => path.resolve(e));
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (file.endsWith('.json')) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[1];
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target) queue.push(target);
      } else {
        packages.add(packageName(spec));
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** The installed version of a package, looked up like Node does from `fromDir` ("?" for builtins). */
function installedVersion(pkg: string, fromDir: string): string {
  // By hand, not require.resolve: a package's `exports` may hide its package.json.
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'node_modules', pkg, 'package.json');
    if (fs.existsSync(manifest)) return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '?';
    if (path.dirname(dir) === dir) return '?';
  }
}

/**
 * The cache key of a bundle: sha256 over every source file's path (relative to `root`, so two
 * checkouts of one commit share it) and content, the imported packages' versions, and `extra`
 * (options that change the output, such as interceptor modules).
 */
export function bundleKey(entries: string[], root: string, extra: string[] = []): string {
  const { files, packages } = bundleSources(entries);
  const hash = createHash('sha256');
  const sdk = ['@temporalio/worker', '@temporalio/workflow'];
  for (const pkg of [...new Set([...sdk, ...packages])].sort()) hash.update(`pkg ${pkg}@${installedVersion(pkg, root)}\n`);
  for (const e of extra) hash.update(`opt ${e}\n`);
  for (const file of files) {
    hash.update(`file ${path.relative(root, file)}\n`);
    hash.update(fs.readFileSync(file));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 24);
}
