/**
 * Workflow bundles, built once per state of the workflow sources and kept on disk. Webpack run in
 * the worker's own process leaves ~130 MB of RSS behind and costs seconds at every start, so the
 * bundle is built in a child process, written under a key that hashes everything it is made of
 * (bundle-sources.ts), and the worker loads it by path. A source change gives a new key: rebuilt.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { findProjectDir } from '../system/project';
import { bundleKey } from './bundle-sources';

/** A directory for the cached bundles, or `off` to bundle in memory in this process as before. */
export const BUNDLE_CACHE_ENV = 'BEADFLOW_BUNDLE_CACHE';

/** The workflow interceptors tracing adds (src/workflows/tracing-interceptors.ts). */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('../workflows/tracing-interceptors');

/**
 * Modules evaluated once in the shared V8 context instead of once per workflow (with
 * `reuseV8Context` each workflow gets its own copy of every other module). A module of ours, not
 * `zod` itself: webpack drops a bare require of a package marked free of side effects.
 */
export const PRELOAD_MODULES = [require.resolve('./workflow-preload')];

/** What `Worker.create` and the replayer take as `workflowBundle`. */
export type LoadableBundle = { codePath: string } | WorkflowBundle;

/** BEADFLOW_BUNDLE_CACHE, else `$XDG_CACHE_HOME/beadflow/workflow-bundles` (~/.cache/…); undefined = off. */
export function bundleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[BUNDLE_CACHE_ENV]?.trim();
  if (value && /^(off|false|0|no|none)$/i.test(value)) return undefined;
  if (value) return path.resolve(value);
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'beadflow', 'workflow-bundles');
}

export interface BundleOptions {
  /** Bundle the OpenTelemetry workflow interceptors too (the worker then needs the span sink). */
  tracing?: boolean;
  /** Where bundles are kept (default bundleCacheDir()); null = in memory, in this process. */
  cacheDir?: string | null;
}

const memo = new Map<string, Promise<LoadableBundle>>();

/**
 * The bundle of `workflowsPath` (default: src/workflows; the benchmark passes its own index), once
 * per process and options: from the disk cache when it holds this state of the sources.
 */
export function workflowBundle(workflowsPath: string = require.resolve('../workflows'), opts: BundleOptions = {}): Promise<LoadableBundle> {
  const cacheDir = opts.cacheDir === undefined ? bundleCacheDir() : (opts.cacheDir ?? undefined);
  const memoKey = `${workflowsPath}#${opts.tracing ? 'tracing' : ''}#${cacheDir ?? ''}`;
  let bundle = memo.get(memoKey);
  if (!bundle) {
    const interceptors = opts.tracing ? [TRACING_WORKFLOW_INTERCEPTORS] : [];
    bundle = cacheDir
      ? prebuiltBundle(workflowsPath, cacheDir, interceptors).then(({ codePath }) => ({ codePath }))
      : bundleWorkflowCode({
          workflowsPath,
          logger: new DefaultLogger('WARN'),
          workflowInterceptorModules: interceptors,
          preloadModules: PRELOAD_MODULES,
        });
    // A failed build is not remembered: the next worker tries again.
    bundle.catch(() => memo.delete(memoKey));
    memo.set(memoKey, bundle);
  }
  return bundle;
}

export interface PrebuiltBundle {
  codePath: string;
  key: string;
  /** false: it was already on disk. */
  built: boolean;
}

/** The cached bundle file for these sources, built (in a child process) when it is missing. */
export async function prebuiltBundle(workflowsPath: string, cacheDir: string, interceptors: string[] = []): Promise<PrebuiltBundle> {
  const root = findProjectDir(path.dirname(workflowsPath));
  const key = bundleKey([workflowsPath, ...interceptors, ...PRELOAD_MODULES], root, [
    `entry ${path.relative(root, workflowsPath)}`,
    ...interceptors.map((i) => `interceptor ${path.relative(root, i)}`),
    ...PRELOAD_MODULES.map((m) => `preload ${path.relative(root, m)}`),
  ]);
  const codePath = path.join(cacheDir, `workflows-${key}.js`);
  if (fs.existsSync(codePath)) return { codePath, key, built: false };
  fs.mkdirSync(cacheDir, { recursive: true });
  await buildInChild(workflowsPath, interceptors, codePath);
  return { codePath, key, built: true };
}

// Runs in a plain `node` (no tsx needed: the SDK's webpack compiles TypeScript itself). It writes a
// temporary file and renames it into place, so a concurrent reader sees the whole bundle or none,
// and two processes building the same key at once both end with the same complete file.
const BUILD_SCRIPT = `
const fs = require('node:fs');
const { bundleWorkflowCode, DefaultLogger } = require(process.env.BF_SDK);
const job = JSON.parse(process.env.BF_JOB);
bundleWorkflowCode({ workflowsPath: job.workflowsPath, workflowInterceptorModules: job.interceptors, preloadModules: job.preload, logger: new DefaultLogger('WARN') })
  .then((b) => { fs.writeFileSync(job.tmp, b.code); fs.renameSync(job.tmp, job.codePath); })
  .catch((err) => { try { fs.rmSync(job.tmp, { force: true }); } catch {} console.error(err && err.stack || err); process.exit(1); });
`;

function buildInChild(workflowsPath: string, interceptors: string[], codePath: string): Promise<void> {
  const tmp = `${codePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const env = {
    ...process.env,
    BF_SDK: require.resolve('@temporalio/worker'),
    BF_JOB: JSON.stringify({ workflowsPath, interceptors, preload: PRELOAD_MODULES, tmp, codePath }),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', BUILD_SCRIPT], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && fs.existsSync(codePath)) resolve();
      else reject(new Error(`bundling the workflow code (${workflowsPath}) failed with exit code ${code}:\n${stderr.trim()}`));
    });
  });
}

// `npm run bundle`: build the bundles ahead of time (an image build, CI), printing where they are.
if (require.main === module) {
  const dir = bundleCacheDir();
  if (!dir) {
    process.stderr.write(`${BUNDLE_CACHE_ENV} is off: nothing to build\n`);
  } else {
    void (async () => {
      for (const interceptors of [[], [TRACING_WORKFLOW_INTERCEPTORS]]) {
        const b = await prebuiltBundle(require.resolve('../workflows'), dir, interceptors);
        process.stdout.write(`${b.built ? 'built' : 'up to date'}: ${b.codePath}\n`);
      }
    })().catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
  }
}
