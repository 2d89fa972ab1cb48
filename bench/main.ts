import { resolveTemporalBinary } from '../src/temporal/binary';
import { parseBenchArgs } from './args';
import { RUNNERS, benchDags } from './beads';
import { openContext } from './context';
import { Progress } from './progress';
import { compareRunners } from './sections/compare';

async function main() {
  const opts = parseBenchArgs(process.argv.slice(2));
  const progress = new Progress();
  const binary = await resolveTemporalBinary({ log: (l) => progress.note(l) });
  const ctx = await openContext(opts.servers[0], binary, { activityConcurrency: opts.activityConcurrency, maxCachedWorkflows: opts.maxCachedWorkflows }, progress, opts.dynamicConfig);
  try {
    const r = await compareRunners(ctx, benchDags(), { runners: () => [...RUNNERS], beads: opts.beads, concurrency: opts.concurrency, warmupBeads: 10, profileSample: 5 });
    console.log(JSON.stringify(r, null, 1));
  } finally {
    await ctx.close();
  }
}
void main();
