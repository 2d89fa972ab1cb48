/**
 * `npm run bench [-- --beads N --concurrency C --json --large --save ...]`: what beadflow's
 * interpreter costs against hand-written workflows on the same server, transition latency, the
 * commit lock and scale. Progress on stderr; the tables on stdout (stderr with --json, when
 * stdout carries one JSON document). See bench/README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBenchArgs } from './args';
import { Progress } from './progress';
import { renderReport } from './report/table';
import { runBenchmark } from './run';

async function main(argv: string[]): Promise<void> {
  let opts;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed') return;
    process.exitCode = 2;
    return;
  }
  const progress = new Progress();
  const results = await runBenchmark(opts, progress);
  const table = renderReport(results);
  const json = JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  if (opts.json) {
    process.stderr.write(`\n${table}\n`);
    process.stdout.write(`${json}\n`);
  } else {
    process.stdout.write(`\n${table}\n`);
  }
  if (opts.save) {
    const dir = path.join(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${json}\n`);
    fs.writeFileSync(file.replace(/\.json$/, '.txt'), `${table}\n`);
    progress.note(`saved ${path.relative(process.cwd(), file)} (and .txt)`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
