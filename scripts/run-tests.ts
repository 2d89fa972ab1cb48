/**
 * `npm test [-- --unit | --integration] [--verbose] [FILE...]`: provisions the Temporal CLI once (the
 * slow build is visible here, not hidden inside a test), then runs unit tests and integration
 * tests with Node's test runner through tsx. Integration files run two at a time (BEADFLOW_TEST_JOBS
 * sets how many), longest first by the last run's times (test/durations.json on a clean clone), so
 * the slowest do not start last; each starts its own dev server. Quiet by default: one line per
 * file; everything a file prints (worker and SDK log lines included) goes to its log file under
 * test/.tmp/logs/, and a failure prints its failing tests and that file's path. `--verbose` streams
 * everything as before.
 * Ends with `N passed, N failed[, N skipped]` and exits non-zero on any failure.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveTemporalBinary, SDK_DOWNLOAD_ENV } from '../src/temporal/binary';
import { formatDuration as formatMs } from '../src/dsl/duration';
import type { Counts } from './test-files';
import {
  jobsFromEnv,
  longestFirst,
  nodeTestArgs,
  parseTapSummary,
  printFileResult,
  readDurations,
  runPool,
  runTestFile,
  summary,
  writeDurations,
} from './test-files';

const formatDuration = (ms: number) => formatMs(ms, 's');

const ROOT = path.resolve(__dirname, '..');

interface Group {
  name: 'unit' | 'integration';
  dir: string;
  /** Files run at once. */
  concurrency: number;
  /** Node test-runner flags for this group. */
  flags: string[];
}

// Node's default is one file at a time on 2 cores; unit files are independent, two halve the wall time.
const UNIT_CONCURRENCY = Math.max(2, os.availableParallelism());
const GROUPS: Group[] = [
  {
    name: 'unit',
    dir: 'test/unit',
    concurrency: UNIT_CONCURRENCY,
    flags: [`--test-concurrency=${UNIT_CONCURRENCY}`, '--test-timeout=180000'],
  },
  // Integration files mostly wait on timers, leases and servers, so two at once fit 2 cores.
  {
    name: 'integration',
    dir: 'test/integration',
    concurrency: 2, // BEADFLOW_TEST_JOBS overrides
    flags: ['--test-concurrency=1', '--test-timeout=300000'],
  },
];

/** Where quiet runs leave each file's output (test/.tmp is git-ignored). */
const LOG_DIR = path.join(ROOT, 'test', '.tmp', 'logs');
/** The last run's wall time per file, for ordering the next run longest first. */
const DURATIONS_FILE = path.join(ROOT, 'test', '.tmp', 'durations.json');
/** Committed times for a clean clone (CI) that has no last run; the last run's own times win. */
const SEED_DURATIONS_FILE = path.join(ROOT, 'test', 'durations.json');

/** Every `*.test.ts` under `dir`, sorted. Node 20's `--test` takes no globs. */
function testFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return (fs.readdirSync(abs, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

function runNodeTests(files: string[], flags: string[], env: NodeJS.ProcessEnv): Promise<{ counts: Counts; exitCode: number }> {
  const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-tests-')), 'results.tap');
  const args = nodeTestArgs(flags, tap, files);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => {
      const counts = parseTapSummary(fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '');
      fs.rmSync(path.dirname(tap), { recursive: true, force: true });
      resolve({ counts, exitCode: code ?? 1 });
    });
  });
}

/** Quiet: each file on its own, its output in its log file; one line per file, failures in full. */
async function runQuiet(group: Group & { files: string[] }, env: NodeJS.ProcessEnv): Promise<{ counts: Counts; exitCode: number }> {
  const dir = path.join(LOG_DIR, group.name);
  fs.rmSync(dir, { recursive: true, force: true });
  const results = await runPool(
    longestFirst(group.files, { ...readDurations(SEED_DURATIONS_FILE), ...readDurations(DURATIONS_FILE) }),
    group.concurrency,
    (f) => runTestFile(ROOT, f, group.flags, env, dir),
    (r) => printFileResult(ROOT, r),
  );
  writeDurations(DURATIONS_FILE, results);
  const counts = results.reduce<Counts>(
    (t, r) => ({ passed: t.passed + r.counts.passed, failed: t.failed + r.counts.failed, skipped: t.skipped + r.counts.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  return { counts, exitCode: results.some((r) => r.exitCode !== 0) ? 1 : 0 };
}

/** Resolves the Temporal CLI once and tells the test processes which (so none repeats a failed build). */
async function provision(env: NodeJS.ProcessEnv): Promise<void> {
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`provision: ${line}\n`);
  const bin = await resolveTemporalBinary({ log, allowSdkDownload: true });
  if (bin.source === 'sdk-download') env[SDK_DOWNLOAD_ENV] = bin.reasons.join('; ');
  else env.TEMPORAL_CLI = bin.path;
  log(`ready in ${formatDuration(Date.now() - started)}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = argv.includes('--unit') ? 'unit' : argv.includes('--integration') ? 'integration' : undefined;
  const verbose = argv.includes('--verbose') || process.env.BEADFLOW_TEST_VERBOSE === '1';
  // Files named on the command line: only those (each in its group).
  const named = argv.filter((a) => !a.startsWith('--')).map((f) => path.relative(ROOT, path.resolve(f)));
  const pick = (dir: string) => (named.length ? named.filter((f) => f.startsWith(`${dir}/`)) : testFiles(dir));
  const groups = GROUPS.filter((g) => !only || g.name === only)
    .map((g) => ({ ...g, files: pick(g.dir) }))
    .filter((g) => !named.length || g.files.length > 0);
  const started = Date.now();
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  let ok = true;
  const env = { ...process.env };
  try {
    const jobs = jobsFromEnv('BEADFLOW_TEST_JOBS', 2);
    for (const g of groups) if (g.name === 'integration') g.concurrency = jobs;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
    return;
  }

  if (groups.some((g) => g.name === 'integration' && g.files.length > 0)) {
    try {
      await provision(env);
    } catch (err) {
      process.stderr.write(`provision: error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.stderr.write('integration tests cannot run without a Temporal CLI; running the rest\n');
      ok = false;
      groups.splice(
        groups.findIndex((g) => g.name === 'integration'),
        1,
      );
    }
  }

  for (const group of groups) {
    if (group.files.length === 0) {
      process.stdout.write(`\n== ${group.name} tests: none in ${group.dir}\n`);
      continue;
    }
    process.stdout.write(`\n== ${group.name} tests (${group.files.length} files)\n`);
    const groupStart = Date.now();
    const { counts, exitCode } = verbose ? await runNodeTests(group.files, group.flags, env) : await runQuiet(group, env);
    process.stdout.write(`== ${group.name}: ${summary(counts)} in ${formatDuration(Date.now() - groupStart)}\n`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    if (exitCode !== 0 || counts.failed > 0) ok = false;
  }

  process.stdout.write(`\ntotal time ${formatDuration(Date.now() - started)}\n${summary(total)}\n`);
  process.exitCode = ok && total.failed === 0 ? 0 : 1;
}

void main();
