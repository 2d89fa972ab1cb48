/**
 * `npm run test:cluster [-- files...]`: the integration tests that matter for durability (crash,
 * restart, lock, ledger) against a real Temporal cluster (Temporal's own server on PostgreSQL,
 * 2 shards) instead of the dev server. Builds the server from source first when it is missing
 * (5-10 minutes on 2 cores, once), so that time shows here and not inside a test's timeout.
 * One file at a time, each with its own cluster and database. Quiet like `npm test`: a line per
 * file, failures in full, each file's output in test/.tmp/logs/cluster/ (`--verbose` streams it).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { missingClusterParts, resolveClusterBinaries } from '../src/temporal/cluster-binaries';
import { printFileResult, runTestFile } from './test-files';

const ROOT = path.resolve(__dirname, '..');
const FLAGS = ['--test-concurrency=1', '--test-timeout=600000'];

export const DURABILITY_TESTS = [
  'test/integration/cluster.test.ts',
  'test/integration/cluster-crash.test.ts',
  'test/integration/cluster-cli.test.ts',
  'test/integration/cluster-tls.test.ts',
  'test/integration/control-durability.test.ts',
  'test/integration/commit-lock.test.ts',
  'test/integration/ledger-runs.test.ts',
];

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (missingClusterParts().length > 0) {
    await resolveClusterBinaries({ log: (line) => process.stderr.write(`cluster build: ${line}\n`) });
  }
  const verbose = process.argv.includes('--verbose') || process.env.BEADFLOW_TEST_VERBOSE === '1';
  const env = { ...process.env, BEADFLOW_TEST_CLUSTER: '1' };
  const failed: string[] = [];
  for (const file of files.length ? files : DURABILITY_TESTS) {
    if (verbose) {
      process.stderr.write(`\n== ${file} on a Temporal cluster\n`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...FLAGS, file], { stdio: 'inherit', env });
      if (r.status !== 0) failed.push(file);
      continue;
    }
    const r = await runTestFile(ROOT, file, FLAGS, env, path.join(ROOT, 'test', '.tmp', 'logs', 'cluster'));
    printFileResult(ROOT, r);
    if (r.exitCode !== 0 || r.counts.failed > 0) failed.push(file);
  }
  if (failed.length) {
    process.stderr.write(`\nfailed on the cluster: ${failed.join(', ')}\n`);
    process.exit(1);
  }
  process.stderr.write('\nall durability tests passed on the cluster\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
