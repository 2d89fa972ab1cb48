/**
 * One test file in its own `node --test` run, quietly: everything it prints (the spec reporter,
 * worker and SDK log lines, dev-server output) goes to its own log file. What comes back is the counts and, for a failure, the
 * failing tests with their errors — the caller prints those and the log file's path.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDuration } from '../src/dsl/duration';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface FileResult {
  file: string;
  counts: Counts;
  exitCode: number;
  ms: number;
  logFile: string;
  /** `name: error` of each failing test (from the TAP report). */
  failures: string[];
}

/** The runner's closing `# pass N` / `# fail N` / ... lines. Cancelled tests count as failed. */
export function parseTapSummary(tap: string): Counts {
  const n = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
}

/** Failing leaf tests and their error lines; a suite that failed only because a child did is left out. */
export function tapFailures(tap: string): string[] {
  const lines = tap.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    let error = '';
    let onlyChildren = false;
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]); j++) {
      const e = /^\s*error: (.*)$/.exec(lines[j]);
      // A multi-line YAML scalar (`|-`): its first line says enough.
      if (e) error = (/^[|>]-?$/.test(e[1]) ? (lines[j + 1] ?? '').trim() : e[1]).replace(/^['"]|['"]$/g, '');
      if (/^\s*failureType: 'subtestsFailed'/.test(lines[j])) onlyChildren = true;
    }
    if (!onlyChildren) out.push(`${m[2]}${error ? `: ${error}` : ''}`);
  }
  return out;
}

/** `test/unit/a.test.ts` → `<dir>/unit-a.test.log`. */
export function logFileFor(dir: string, file: string): string {
  const name = file
    .replace(/^test[\\/]/, '')
    .replace(/[\\/]/g, '-')
    .replace(/\.ts$/, '.log');
  return path.join(dir, name);
}

/** Node's test runner through tsx: the spec reporter for people on stdout, TAP in `tap` for the counts. */
export function nodeTestArgs(flags: string[], tap: string, files: string[]): string[] {
  return [
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
}

export function runTestFile(root: string, file: string, flags: string[], env: NodeJS.ProcessEnv, logDir: string): Promise<FileResult> {
  const started = Date.now();
  const logFile = logFileFor(logDir, file);
  const tap = `${logFile}.tap`;
  fs.mkdirSync(logDir, { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const args = nodeTestArgs(flags, tap, [file]);
  // Not BEADFLOW_LOG_FILE: workers a test spawns must keep logging to the stdout the test reads;
  // the file gets them anyway, through this process's captured output.
  const childEnv = { ...env, FORCE_COLOR: '0' };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', out, out] });
    child.on('close', (code) => {
      fs.closeSync(out);
      const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
      fs.rmSync(tap, { force: true });
      const counts = parseTapSummary(report);
      const exitCode = code ?? 1;
      const failures = tapFailures(report);
      if (exitCode !== 0 && counts.failed === 0 && failures.length === 0) failures.push(`the test process exited with code ${exitCode}`);
      resolve({ file, counts, exitCode, ms: Date.now() - started, logFile, failures });
    });
  });
}

/** Runs `files` with at most `concurrency` at once; `done` is called as each finishes. */
export async function runPool(
  files: string[],
  concurrency: number,
  run: (file: string) => Promise<FileResult>,
  done: (result: FileResult) => void,
): Promise<FileResult[]> {
  const queue = [...files];
  const results: FileResult[] = [];
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const result = await run(file);
      results.push(result);
      done(result);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function summary(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

const indent = (lines: string[]) => lines.map((l) => `       ${l}`);

/** The spec reporter's closing "failing tests" section (assertions, stacks), at most 80 lines. */
function failingSection(text: string): string[] {
  const at = text.search(/^✖ failing tests:$/m);
  if (at < 0) return [];
  const lines = text.slice(at).split('\n');
  const shown = indent(lines.slice(0, 80));
  if (lines.length > 80) shown.push(`       … ${lines.length - 80} more lines in the log`);
  return shown;
}

/**
 * One line per file; a failure adds its failing tests, their errors and the log's path. Under CI
 * the log file does not outlive the machine, so the log's last lines are printed too.
 */
export function printFileResult(root: string, r: FileResult): void {
  const ok = r.exitCode === 0 && r.counts.failed === 0;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${r.file}  ${summary(r.counts)}  ${formatDuration(r.ms, 's')}\n`);
  if (ok) return;
  const text = fs.existsSync(r.logFile) ? fs.readFileSync(r.logFile, 'utf8') : '';
  const out = [...r.failures.map((f) => `       ✖ ${f}`), ...failingSection(text)];
  if (process.env.CI) {
    const before = text.slice(0, Math.max(0, text.search(/^✖ failing tests:$/m))) || text;
    out.push(`       --- the log's last 60 lines before the failures ---`, ...indent(before.trimEnd().split('\n').slice(-60)));
  }
  out.push(`       log (test output, worker and SDK lines): ${path.relative(root, r.logFile)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** A positive whole number from `name`, else `fallback`; a bad value is an error that names the variable. */
export function jobsFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number of test files run at once, not "${raw}"`);
  return n;
}

/** Each file's wall time (ms) as a file of them holds it; a missing or unreadable file, or a value that is not a time, counts as never timed. */
export function readDurations(file: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => Number.isFinite(e[1]) && e[1] >= 0));
}

export function writeDurations(file: string, results: FileResult[]): void {
  const durations = readDurations(file);
  for (const r of results) durations[r.file] = r.ms;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(durations, null, 2)}\n`);
}

/**
 * Longest first (files never timed count as longest), so the slow files do not start last and
 * leave one lane running alone at the end.
 */
export function longestFirst(files: string[], durations: Record<string, number>): string[] {
  const ms = (f: string) => durations[f] ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => ms(b) - ms(a) || a.localeCompare(b));
}
