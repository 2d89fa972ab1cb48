/**
 * Builds the Temporal CLI from source with `go install`, the one route that works on a machine
 * that can reach the Go module proxy but no download site. Prints progress, never hangs: a
 * preflight checks the proxy and checksum database with a timeout, and the build is killed when
 * it stops making progress.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { formatDuration as formatMs } from '../dsl/duration';
import { findOnPath, isExecutableFile, runCapture } from '../system/process';

const formatDuration = (ms: number) => formatMs(ms, 's');

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli';
/** Pinned: v1.6.0+ carry a `replace` directive in go.mod, which `go install pkg@version` refuses. */
export const TEMPORAL_CLI_PACKAGE = `${TEMPORAL_CLI_MODULE}/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
export const MIN_GO_VERSION = '1.25';

export interface GoToolchain {
  path: string;
  /** As `go env GOVERSION` prints it, e.g. `go1.26.8`. */
  version: string;
  /** Effective GOPROXY and GOSUMDB (environment or `go env -w`), for messages. */
  proxy: string;
  sumdb: string;
}

/** `go` on PATH, else well-known install locations (`$GOROOT/bin`, `/usr/local/go/bin`). */
export function findGo(env: NodeJS.ProcessEnv, candidates?: string[]): string | undefined {
  const fallbacks = candidates ?? [...(env.GOROOT ? [path.join(env.GOROOT, 'bin', 'go')] : []), '/usr/local/go/bin/go'];
  return findOnPath('go', env) ?? fallbacks.find(isExecutableFile);
}

/** Asks `go` for its version and network settings; undefined when it does not run. */
export async function describeGo(go: string, env: NodeJS.ProcessEnv): Promise<GoToolchain | undefined> {
  const res = await runCapture(go, ['env', 'GOVERSION', 'GOPROXY', 'GOSUMDB'], { env: goEnv(env), timeoutMs: 30_000 });
  const [version, proxy, sumdb] = res.stdout.split('\n').map((l) => l.trim());
  if (res.code !== 0 || !version) return undefined;
  // `go env` prints the effective settings (its defaults included); empty only from a broken toolchain.
  return { path: go, version, proxy: proxy || "Go's default", sumdb: sumdb || "Go's default" };
}

/** `go1.26.8` → true; `go1.24.2` → false; development builds count as new enough. */
export function goVersionSupported(version: string): boolean {
  const m = /go(\d+)\.(\d+)/.exec(version);
  if (!m) return version.includes('devel');
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [wantMajor, wantMinor] = MIN_GO_VERSION.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

function goEnv(env: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: never download a Go toolchain; CGO_ENABLED=0: the CLI needs no C compiler.
  return { ...env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', ...extra };
}

export interface GoInstallOptions {
  go: GoToolchain;
  /** The binary ends up at `<cacheDir>/temporal`. */
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  preflightTimeoutMs?: number;
  /** Kill the build after this long without a line of output. */
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
  progressEveryMs?: number;
}

export class GoInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoInstallError';
  }
}

/** Builds the pinned Temporal CLI into `<cacheDir>/temporal` and returns that path. */
export async function goInstallTemporal(opts: GoInstallOptions): Promise<string> {
  const { go, cacheDir, log } = opts;
  fs.mkdirSync(cacheDir, { recursive: true });
  const buildLog = path.join(cacheDir, 'build.log');
  log(`building temporal v${TEMPORAL_CLI_VERSION} from source with ${go.version} (${go.path}) into ${cacheDir}`);
  log('this takes 3-6 minutes on 2 cores (less with a warm Go build cache); it happens once, later runs reuse the binary');
  await preflight(opts);

  const gobin = path.join(cacheDir, `.build-${process.pid}`);
  fs.rmSync(gobin, { recursive: true, force: true });
  try {
    await runGoInstall(opts, gobin, buildLog, [
      'install',
      '-v',
      '-ldflags',
      `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
      TEMPORAL_CLI_PACKAGE,
    ]);
    const built = path.join(gobin, 'temporal');
    if (!isExecutableFile(built)) throw new GoInstallError(`go install succeeded but left no binary at ${built}; see ${buildLog}`);
    const target = path.join(cacheDir, 'temporal');
    fs.renameSync(built, target); // atomic: nobody ever sees a half-written binary at the final path
    return target;
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

/** Fetches just the CLI module: proves the proxy and checksum DB answer before a long build. */
async function preflight(opts: GoInstallOptions): Promise<void> {
  await goModDownload(opts, `${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`);
}

/**
 * `go mod download -json module@version` with a timeout: fetches a module into the Go module cache
 * (GOMODCACHE) and returns the directory it unpacked to (undefined if go did not say). Also the
 * preflight before a long build.
 */
export async function goModDownload(
  opts: Pick<GoInstallOptions, 'go' | 'env' | 'log' | 'cacheDir' | 'preflightTimeoutMs'>,
  moduleAtVersion: string,
): Promise<string | undefined> {
  const { proxy, sumdb } = opts.go;
  const timeoutMs = opts.preflightTimeoutMs ?? 120_000;
  opts.log(
    `fetching ${moduleAtVersion} through the Go module proxy (${proxy}) and checksum database (${sumdb}), timeout ${formatDuration(timeoutMs)}...`,
  );
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  const res = await runCapture(opts.go.path, ['mod', 'download', '-json', moduleAtVersion], {
    env: goEnv(opts.env),
    cwd: opts.cacheDir,
    timeoutMs,
  });
  const output = `${res.stdout}\n${res.stderr}`;
  if (res.timedOut) {
    throw new GoInstallError(
      `no answer within ${formatDuration(timeoutMs)} while fetching ${moduleAtVersion}: ` +
        `the Go module proxy (GOPROXY=${proxy}) or checksum database (GOSUMDB=${sumdb}) is unreachable from here. ` +
        networkAdvice(proxy, sumdb),
    );
  }
  if (res.code !== 0) {
    throw new GoInstallError(`cannot fetch ${moduleAtVersion}: ${explainGoFailure(output, opts.go)}\n${lastLines(output, 8)}`);
  }
  try {
    return (JSON.parse(res.stdout) as { Dir?: string }).Dir;
  } catch {
    return undefined;
  }
}

/**
 * `go install <pkg>` into `<cacheDir>/<binaryName>` (atomically renamed from a private GOBIN),
 * with the same progress lines, stall kill and build log as the CLI build. `pkg` carries its
 * `@version`; go names the binary after the package's last path element (`server`, `sql`).
 */
export async function goInstallPackage(opts: GoInstallOptions, pkg: string, binaryName: string, extraArgs: string[] = []): Promise<string> {
  const { go, cacheDir, log } = opts;
  fs.mkdirSync(cacheDir, { recursive: true });
  const buildLog = path.join(cacheDir, `build-${binaryName}.log`);
  log(`building ${pkg} from source with ${go.version} (${go.path}) into ${cacheDir}`);
  const gobin = path.join(cacheDir, `.build-${process.pid}`);
  fs.rmSync(gobin, { recursive: true, force: true });
  try {
    await runGoInstall(opts, gobin, buildLog, ['install', '-v', ...extraArgs, pkg]);
    const produced = path.basename(pkg.split('@')[0]);
    const built = path.join(gobin, produced);
    if (!isExecutableFile(built)) throw new GoInstallError(`go install succeeded but left no binary at ${built}; see ${buildLog}`);
    const target = path.join(cacheDir, binaryName);
    fs.renameSync(built, target);
    return target;
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

function runGoInstall(opts: GoInstallOptions, gobin: string, buildLog: string, args: string[]): Promise<void> {
  const { log } = opts;
  const idleMs = opts.idleTimeoutMs ?? 10 * 60_000;
  const totalMs = opts.totalTimeoutMs ?? 60 * 60_000;
  const started = Date.now();
  const logFile = fs.createWriteStream(buildLog);
  logFile.write(`$ GOBIN=${gobin} GOTOOLCHAIN=local CGO_ENABLED=0 ${opts.go.path} ${args.join(' ')}\n`);
  const child = spawn(opts.go.path, args, {
    env: goEnv(opts.env, { GOBIN: gobin }),
    cwd: opts.cacheDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let modules = 0;
  let packages = 0;
  let lastOutput = Date.now();
  const tail: string[] = [];
  const onLine = (line: string) => {
    lastOutput = Date.now();
    logFile.write(`${line}\n`);
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.startsWith('go: downloading ')) modules++;
    else if (/^[\w.\-/]+$/.test(line)) {
      if (packages === 0) log(`  modules fetched (${modules} downloaded) after ${formatDuration(Date.now() - started)}; compiling...`);
      packages++;
    }
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);

  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const ticker = setInterval(() => {
      const now = Date.now();
      if (now - lastOutput > idleMs) failure = idleFailure(now - lastOutput, packages, opts.go);
      else if (now - started > totalMs) failure = `the build did not finish within ${formatDuration(totalMs)}`;
      if (failure) {
        child.kill('SIGKILL');
        return;
      }
      log(`  still building: ${formatDuration(now - started)} elapsed, ${modules} modules downloaded, ${packages} packages compiled`);
    }, opts.progressEveryMs ?? 30_000);
    const finish = (err?: Error) => {
      clearInterval(ticker);
      logFile.end();
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (err) => finish(new GoInstallError(`cannot run ${opts.go.path}: ${err.message}`)));
    child.on('close', (code) => {
      const output = tail.join('\n');
      if (failure) return finish(new GoInstallError(`${failure}; build log: ${buildLog}\n${lastLines(output, 8)}`));
      if (code !== 0) {
        return finish(
          new GoInstallError(
            `go install failed (exit ${code}): ${explainGoFailure(output, opts.go)}\nbuild log: ${buildLog}\n${lastLines(output, 12)}`,
          ),
        );
      }
      log(`  built in ${formatDuration(Date.now() - started)} (${modules} modules downloaded, ${packages} packages compiled)`);
      finish();
    });
  });
}

function idleFailure(idleMs: number, packages: number, { proxy, sumdb }: GoToolchain): string {
  return packages === 0
    ? `no progress for ${formatDuration(idleMs)} while downloading modules: the Go module proxy (GOPROXY=${proxy}) or checksum database (GOSUMDB=${sumdb}) is probably unreachable. ${networkAdvice(proxy, sumdb)}`
    : `no output from go for ${formatDuration(idleMs)} while compiling; the build looks stuck`;
}

const NETWORK_ERROR =
  /dial tcp|no such host|i\/o timeout|connection refused|connection reset|network is unreachable|TLS handshake timeout|proxyconnect|unexpected EOF|Temporary failure in name resolution|server misbehaving|certificate|Client\.Timeout|40[37] |50[234] /i;

/** One sentence that tells the user what went wrong and what to change. */
export function explainGoFailure(output: string, { proxy, sumdb }: Pick<GoToolchain, 'proxy' | 'sumdb'>): string {
  const sumdbHost = sumdb.split(/[\s+]/)[0];
  if (NETWORK_ERROR.test(output) && (/verifying /.test(output) || output.includes(sumdbHost))) {
    return `the Go checksum database (GOSUMDB=${sumdb}) cannot be reached. If you trust your module proxy, retry with GOSUMDB=off (or GONOSUMDB=<module patterns>); otherwise allow access to it.`;
  }
  if (NETWORK_ERROR.test(output)) {
    return `the Go module proxy (GOPROXY=${proxy}) cannot be reached. ${networkAdvice(proxy, sumdb)}`;
  }
  if (/disabled by GOPROXY=off|GOFLAGS=-mod=vendor|cannot find module providing/i.test(output)) {
    return `GOPROXY=${proxy} and the module is not in the Go module cache (GOMODCACHE); set GOPROXY to a reachable proxy or mirror, or pre-fill the module cache.`;
  }
  if (/requires go >=|toolchain not available|go\.mod requires go/i.test(output)) {
    return `this Go is too old: Temporal CLI v${TEMPORAL_CLI_VERSION} needs Go >= ${MIN_GO_VERSION} (GOTOOLCHAIN=local keeps go from downloading a newer one). Install Go >= ${MIN_GO_VERSION}.`;
  }
  if (/no space left on device/i.test(output)) return 'the disk is full (the build needs about 2 GB in the Go build cache).';
  return 'see the go output below.';
}

function networkAdvice(proxy: string, sumdb: string): string {
  return (
    `Allow access to the proxy (${proxy}) and checksum database (${sumdb}), or point GOPROXY at a reachable mirror ` +
    '(GOSUMDB=off if that mirror is trusted), or install Temporal another way (see `npm run provision` output).'
  );
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .map((l) => `  | ${l}`)
    .join('\n');
}
