/**
 * `npm run provision`: makes sure a Temporal CLI is available (building it into the cache with Go
 * when needed) and prints which one. Exits 1 with install instructions when none can be had.
 */
import { resolveTemporalBinary } from '../src/temporal/binary';
import { formatDuration as formatMs } from '../src/dsl/duration';

const formatDuration = (ms: number) => formatMs(ms, 's');

async function main(): Promise<void> {
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`provision: ${line}\n`);
  try {
    const bin = await resolveTemporalBinary({ log });
    log(`temporal ${bin.version} at ${bin.path} (source: ${bin.source}, ${formatDuration(Date.now() - started)})`);
    log(`tests and \`beadflow server\` use it; to pin it elsewhere: export TEMPORAL_CLI=${bin.path}`);
  } catch (err) {
    process.stderr.write(`provision: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

void main();
