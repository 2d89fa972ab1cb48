/**
 * The programs a real Temporal cluster needs, built from source like the CLI (`go install`) into
 * `~/.cache/beadflow/temporal-server-v1.29.1/`: the server (`temporal-server`), its SQL schema
 * tool (`temporal-sql-tool`), the Web UI server (`temporal-ui-server`), and the PostgreSQL schema
 * files that ship in the server module (`schema/postgresql/v12/...`). A build lock keeps two
 * processes from building at once; a cold build takes 5-10 minutes on 2 cores (8m20s measured: server 7m34s, SQL tool 3s, UI 44s).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withBuildLock } from './build-lock';
import { describeGo, findGo, goInstallPackage, goModDownload, goVersionSupported, MIN_GO_VERSION } from './go-install';
import { isExecutableFile } from '../system/process';

export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_UI_VERSION = '2.42.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

interface Program {
  file: 'temporal-server' | 'temporal-sql-tool' | 'temporal-ui-server';
  pkg: string;
  ldflags?: string;
}

export const CLUSTER_PROGRAMS: readonly Program[] = [
  { file: 'temporal-server', pkg: `${TEMPORAL_SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}` },
  { file: 'temporal-sql-tool', pkg: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}` },
  { file: 'temporal-ui-server', pkg: `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}` },
];

export interface ClusterBinaries {
  dir: string;
  server: string;
  sqlTool: string;
  uiServer: string;
  /** `<dir>/schema/postgresql/v12`: holds `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
}

export function clusterCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'beadflow', `temporal-server-v${TEMPORAL_SERVER_VERSION}`);
}

function layout(dir: string): ClusterBinaries {
  return {
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    uiServer: path.join(dir, 'temporal-ui-server'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
}

function schemaPresent(schemaDir: string): boolean {
  return ['temporal', 'visibility'].every((db) => fs.existsSync(path.join(schemaDir, db, 'versioned')));
}

/** What is still missing from the cache (empty: ready to run). */
export function missingClusterParts(dir: string = clusterCacheDir()): string[] {
  const b = layout(dir);
  const missing: string[] = CLUSTER_PROGRAMS.filter((p) => !isExecutableFile(path.join(dir, p.file))).map((p) => p.file);
  if (!schemaPresent(b.schemaDir)) missing.push('schema/postgresql/v12');
  return missing;
}

export interface ResolveClusterOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** false: never build, fail when something is missing. */
  build?: boolean;
  goCandidates?: string[];
  timeouts?: { preflightMs?: number; idleMs?: number; totalMs?: number; lockWaitMs?: number; progressEveryMs?: number };
}

/** The cached programs and schema, building whatever is missing (under a build lock). */
export async function resolveClusterBinaries(opts: ResolveClusterOptions = {}): Promise<ClusterBinaries> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = clusterCacheDir(env);
  const bins = layout(dir);
  if (missingClusterParts(dir).length === 0) return bins;
  if (opts.build === false) {
    throw new Error(`the Temporal cluster programs are not built (missing in ${dir}: ${missingClusterParts(dir).join(', ')})`);
  }

  const goPath = findGo(env, opts.goCandidates);
  const go = goPath ? await describeGo(goPath, env) : undefined;
  if (!go || !goVersionSupported(go.version)) {
    throw new Error(
      `cannot build the Temporal server: ${go ? `${go.version} at ${go.path} is older than Go ${MIN_GO_VERSION}` : 'no working `go` found'}. ` +
        `Install Go >= ${MIN_GO_VERSION} (on PATH or /usr/local/go), then rerun; the build needs the Go module proxy and takes 5-10 minutes. ` +
        `Missing in ${dir}: ${missingClusterParts(dir).join(', ')}`,
    );
  }
  const t = opts.timeouts ?? {};
  fs.mkdirSync(dir, { recursive: true });
  await withBuildLock(
    path.join(dir, 'build.lock'),
    { log, timeoutMs: t.lockWaitMs ?? 60 * 60_000, isDone: () => missingClusterParts(dir).length === 0 },
    async () => {
      const common = {
        go,
        cacheDir: dir,
        env,
        log,
        preflightTimeoutMs: t.preflightMs,
        idleTimeoutMs: t.idleMs,
        totalTimeoutMs: t.totalMs,
        progressEveryMs: t.progressEveryMs,
      };
      if (missingClusterParts(dir).length === 0) return;
      log(
        `building the Temporal cluster programs (server v${TEMPORAL_SERVER_VERSION}, UI v${TEMPORAL_UI_VERSION}); 5-10 minutes on 2 cores, once`,
      );
      // The module download doubles as the preflight (proxy and checksum database reachable) and yields the schema.
      const moduleDir = await goModDownload(common, `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
      if (!schemaPresent(bins.schemaDir)) {
        if (!moduleDir)
          throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION} did not say where it put the module`);
        const src = path.join(moduleDir, 'schema', 'postgresql', 'v12');
        if (!schemaPresent(src)) throw new Error(`the server module at ${moduleDir} has no PostgreSQL schema under ${src}`);
        const tmp = `${bins.schemaDir}.tmp-${process.pid}`;
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.mkdirSync(path.dirname(tmp), { recursive: true });
        fs.cpSync(src, tmp, { recursive: true });
        // The module cache is read-only; our copy must be removable.
        chmodTree(tmp);
        fs.rmSync(bins.schemaDir, { recursive: true, force: true });
        fs.renameSync(tmp, bins.schemaDir);
      }
      for (const p of CLUSTER_PROGRAMS) {
        if (isExecutableFile(path.join(dir, p.file))) continue;
        await goInstallPackage(common, p.pkg, p.file);
      }
    },
  );
  const still = missingClusterParts(dir);
  if (still.length) throw new Error(`the Temporal cluster build finished but ${still.join(', ')} are missing in ${dir}`);
  return bins;
}

function chmodTree(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else fs.chmodSync(p, 0o644);
  }
}
