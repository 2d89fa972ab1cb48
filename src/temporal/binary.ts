/**
 * Finds a `temporal` CLI (which runs the dev server) in this order: TEMPORAL_CLI, PATH, the project
 * cache, a `go install` build into that cache, and only then the Temporal SDK's own download.
 * Says what it does at each step; when nothing works, the error says how to install one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withBuildLock } from './build-lock';
import {
  describeGo,
  findGo,
  goInstallTemporal,
  goVersionSupported,
  MIN_GO_VERSION,
  TEMPORAL_CLI_PACKAGE,
  TEMPORAL_CLI_VERSION,
} from './go-install';
import { findOnPath, isExecutableFile, runCapture } from '../system/process';

export { TEMPORAL_CLI_VERSION, TEMPORAL_CLI_PACKAGE } from './go-install';

export type TemporalBinarySource = 'env' | 'path' | 'cache' | 'go-install';

export interface TemporalBinary {
  path: string;
  source: TemporalBinarySource;
  /** CLI version, e.g. `1.5.1`. */
  version: string;
}

/** No local binary: let `@temporalio/testing` download one (`executable: { type: 'cached-download' }`). */
export interface SdkDownloadFallback {
  path?: undefined;
  source: 'sdk-download';
  version: 'default';
  /** Why each local route failed, for the error message if the download fails too. */
  reasons: string[];
}

export type ResolvedTemporal = TemporalBinary | SdkDownloadFallback;

/** Set by scripts/run-tests.ts for test processes when no local binary exists (value: the reasons). */
export const SDK_DOWNLOAD_ENV = 'BEADFLOW_TEMPORAL_SDK_DOWNLOAD';

export interface ResolveTemporalOptions {
  /** One line per step. Default: stderr. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Return the SDK-download fallback instead of throwing when no local route works (tests). */
  allowSdkDownload?: boolean;
  /** Allow the `go install` step (default true). */
  build?: boolean;
  /** Where to look for `go` when it is not on PATH (default `$GOROOT/bin/go`, `/usr/local/go/bin/go`). */
  goCandidates?: string[];
  timeouts?: { preflightMs?: number; idleMs?: number; totalMs?: number; lockWaitMs?: number; progressEveryMs?: number };
}

/** `${XDG_CACHE_HOME:-~/.cache}/beadflow/temporal-v1.5.1`: outside the repo, shared by all checkouts. */
export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'beadflow', `temporal-v${TEMPORAL_CLI_VERSION}`);
}

export class TemporalNotFoundError extends Error {
  constructor(
    message: string,
    readonly reasons: string[] = [],
  ) {
    super(message);
    this.name = 'TemporalNotFoundError';
  }
}

export function resolveTemporalBinary(opts: ResolveTemporalOptions & { allowSdkDownload: true }): Promise<ResolvedTemporal>;
export function resolveTemporalBinary(opts?: ResolveTemporalOptions & { allowSdkDownload?: false }): Promise<TemporalBinary>;
export async function resolveTemporalBinary(opts: ResolveTemporalOptions = {}): Promise<ResolvedTemporal> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reasons: string[] = [];

  if (env.TEMPORAL_CLI) {
    // An explicit choice that does not work is an error, not a reason to quietly pick another binary.
    const file = path.resolve(env.TEMPORAL_CLI);
    const probe = await probeTemporal(file, env);
    if ('problem' in probe) {
      throw new TemporalNotFoundError(`TEMPORAL_CLI=${env.TEMPORAL_CLI}: ${probe.problem}; point it at a working temporal CLI or unset it`);
    }
    log(`using temporal from TEMPORAL_CLI: ${file} (${probe.version})`);
    return { path: file, source: 'env', version: probe.version };
  }
  reasons.push('TEMPORAL_CLI is not set');

  const onPath = findOnPath('temporal', env);
  if (onPath) {
    const probe = await probeTemporal(onPath, env);
    if ('version' in probe) {
      log(`using temporal from PATH: ${onPath} (${probe.version})`);
      return { path: onPath, source: 'path', version: probe.version };
    }
    log(`ignoring ${onPath} on PATH: ${probe.problem}`);
    reasons.push(`${onPath} (on PATH) ${probe.problem}`);
  } else {
    reasons.push('no `temporal` on PATH');
  }

  const cacheDir = temporalCacheDir(env);
  const cached = path.join(cacheDir, 'temporal');
  const fromCache = await useCached(cached, env, log);
  if (fromCache) return fromCache;
  reasons.push(`no usable binary in the cache (${cached})`);

  if (opts.build !== false) {
    const built = await buildWithGo(opts, env, log, cacheDir, reasons);
    if (built) return built;
  }

  if (opts.allowSdkDownload) {
    log('no local temporal binary; leaving it to the Temporal SDK to download one (needs internet access)');
    return { source: 'sdk-download', version: 'default', reasons };
  }
  throw new TemporalNotFoundError(notFoundMessage(reasons, cacheDir), reasons);
}

async function useCached(cached: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<TemporalBinary | undefined> {
  if (!fs.existsSync(cached)) return undefined;
  const probe = await probeTemporal(cached, env);
  if ('problem' in probe) {
    log(`removing broken cached binary ${cached}: ${probe.problem}`);
    fs.rmSync(cached, { force: true });
    return undefined;
  }
  log(`using cached temporal: ${cached} (${pinnedVersion(probe.version)})`);
  return { path: cached, source: 'cache', version: pinnedVersion(probe.version) };
}

async function buildWithGo(
  opts: ResolveTemporalOptions,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
  cacheDir: string,
  reasons: string[],
): Promise<TemporalBinary | undefined> {
  const goPath = findGo(env, opts.goCandidates);
  if (!goPath) {
    reasons.push('no `go` to build it with');
    return undefined;
  }
  const go = await describeGo(goPath, env);
  if (!go) {
    reasons.push(`${goPath} does not run`);
    return undefined;
  }
  if (!goVersionSupported(go.version)) {
    log(
      `not building temporal: ${go.version} at ${goPath} is too old (Temporal CLI v${TEMPORAL_CLI_VERSION} needs Go >= ${MIN_GO_VERSION})`,
    );
    reasons.push(`${go.version} at ${goPath} is older than Go ${MIN_GO_VERSION}, which the build needs`);
    return undefined;
  }
  const cached = path.join(cacheDir, 'temporal');
  const t = opts.timeouts ?? {};
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const outcome = await withBuildLock(
      path.join(cacheDir, 'build.lock'),
      { log, timeoutMs: t.lockWaitMs ?? 60 * 60_000, isDone: () => isExecutableFile(cached) },
      async () => {
        if (isExecutableFile(cached)) return false; // another process finished just before we got the lock
        await goInstallTemporal({
          go,
          cacheDir,
          env,
          log,
          preflightTimeoutMs: t.preflightMs,
          idleTimeoutMs: t.idleMs,
          totalTimeoutMs: t.totalMs,
          progressEveryMs: t.progressEveryMs,
        });
        return true;
      },
    );
    const probe = await probeTemporal(cached, env);
    if ('problem' in probe) throw new Error(`the built binary ${cached} ${probe.problem}`);
    const builtHere = 'built' in outcome && outcome.built;
    log(`${builtHere ? 'built' : 'using cached'} temporal: ${cached} (${pinnedVersion(probe.version)})`);
    return { path: cached, source: builtHere ? 'go-install' : 'cache', version: pinnedVersion(probe.version) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`building temporal failed: ${message}`);
    reasons.push(`go install failed: ${message.split('\n')[0].replace(/\.$/, '')}`);
    return undefined;
  }
}

/** Runs `<file> --version`: `temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)` → `1.5.1`. */
export async function probeTemporal(file: string, env: NodeJS.ProcessEnv): Promise<{ version: string } | { problem: string }> {
  if (!fs.existsSync(file)) return { problem: 'does not exist' };
  if (!isExecutableFile(file)) return { problem: 'is not an executable file' };
  const res = await runCapture(file, ['--version'], { env, timeoutMs: 30_000 });
  if (res.spawnError) return { problem: `cannot be started (${res.spawnError.message})` };
  if (res.timedOut) return { problem: 'did not answer `--version` within 30s' };
  const m = /version\s+v?(\S+)/.exec(res.stdout);
  if (res.code !== 0 || !m)
    return { problem: `does not look like the Temporal CLI (\`--version\` exit ${res.code}: ${res.stdout.trim() || res.stderr.trim()})` };
  return { version: m[1] };
}

/** Cache builds come from the pinned tag; a build without version stamping reports 0.0.0-DEV. */
function pinnedVersion(version: string): string {
  return version === '0.0.0-DEV' ? TEMPORAL_CLI_VERSION : version;
}

export function notFoundMessage(reasons: string[], cacheDir: string): string {
  return [
    'no Temporal CLI found and none could be built.',
    `Tried: ${reasons.join('; ')}.`,
    'Install it one of these ways, then rerun:',
    `  1. Build it with Go >= ${MIN_GO_VERSION} (needs the Go module proxy and checksum database, or a GOPROXY mirror; 3-6 minutes on 2 cores).`,
    '     Put `go` on PATH and rerun `npm run provision`, which does this:',
    `       GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN=${cacheDir} go install ${TEMPORAL_CLI_PACKAGE}`,
    '  2. Download a release from https://github.com/temporalio/cli/releases or https://temporal.download/cli (needs internet),',
    '     then put `temporal` on PATH or set TEMPORAL_CLI=/path/to/temporal.',
    '  3. A package manager: `brew install temporal` (macOS, Linuxbrew).',
    'Integration tests can also let the Temporal SDK download it, which needs internet access.',
  ].join('\n');
}
