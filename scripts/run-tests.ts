/**
 * `npm test [-- --unit | --integration]`: provisions the Temporal CLI once (the slow build is
 * visible here, not hidden inside a test), then runs unit tests and integration tests with Node's
 * test runner through tsx. Integration files run one at a time: each starts its own dev server.
 * Ends with `N passed, N failed[, N skipped]` and exits non-zero on any failure.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveTemporalBinary, SDK_DOWNLOAD_ENV } from '../src/temporal/binary';
import { formatDuration as formatMs } from '../src/dsl/duration';

const formatDuration = (ms: number) => formatMs(ms, 's');

const ROOT = path.resolve(__dirname, '..');

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Group {
  name: 'unit' | 'integration';
  dir: string;
  /** Node test-runner flags for this group. */
  flags: string[];
}

const GROUPS: Group[] = [
  // Node's default is one file at a time on 2 cores; unit files are independent, two halve the wall time.
  { name: 'unit', dir: 'test/unit', flags: [`--test-concurrency=${Math.max(2, os.availableParallelism())}`, '--test-timeout=180000'] },
  // One file at a time: every file starts a dev server, and two fight over 2 cores.
  { name: 'integration', dir: 'test/integration', flags: ['--test-concurrency=1', '--test-timeout=300000'] },
];

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
  const args = [
    '--import',
    'tsx',
    '--test',
    ...flags,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => {
      const counts = parseTapSummary(fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '');
      fs.rmSync(path.dirname(tap), { recursive: true, force: true });
      resolve({ counts, exitCode: code ?? 1 });
    });
  });
}

/** The runner's closing `# pass N` / `# fail N` / ... lines. Cancelled tests count as failed. */
function parseTapSummary(tap: string): Counts {
  const n = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
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
  const groups = GROUPS.filter((g) => !only || g.name === only).map((g) => ({ ...g, files: testFiles(g.dir) }));
  const started = Date.now();
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  let ok = true;
  const env = { ...process.env };

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
    const { counts, exitCode } = await runNodeTests(group.files, group.flags, env);
    process.stdout.write(`== ${group.name}: ${summary(counts)} in ${formatDuration(Date.now() - groupStart)}\n`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    if (exitCode !== 0 || counts.failed > 0) ok = false;
  }

  process.stdout.write(`\ntotal time ${formatDuration(Date.now() - started)}\n${summary(total)}\n`);
  process.exitCode = ok && total.failed === 0 ? 0 : 1;
}

function summary(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

void main();
