/** `npm run bench -- [options]`: the parameters of a run, with defaults that fit 10 minutes on 2 cores. */
import { Command, InvalidArgumentError } from 'commander';
import type { ServerVariant } from './server';
import { SERVER_VARIANTS } from './server';

export const SECTIONS = ['latency', 'compare', 'throughput', 'lock', 'scale', 'llm', 'git'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Beads per runner and DAG in the comparison. */
  beads: number;
  /** Beads in flight at once in the comparison. */
  concurrency: number;
  /** Beads run one at a time per runner and DAG for the unloaded latency. */
  latencyBeads: number;
  /** Throughput section: beads in flight, and beads run. */
  throughputConcurrency: number;
  throughputBeads: number;
  /** Beads parked at an approval in the scale section. */
  parked: number;
  /** Beads contending for one repository's lock. */
  lockBeads: number;
  servers: ServerVariant[];
  /** Also run hand-written beads in the throughput and scale sections (the floor there). */
  baselines: boolean;
  sections: Section[];
  activityConcurrency: number;
  /** Sticky cache; none = `npm run worker`'s default for the bench's roles (throughput: at least its beads in flight). */
  maxCachedWorkflows?: number;
  /** PostgreSQL ledger the worker writes to; none = ledger off (the activity acknowledges without writing). */
  ledgerUrl?: string;
  /** Extra `temporal server start-dev --dynamic-config-value` settings (experiments). */
  dynamicConfig: string[];
  json: boolean;
  save: boolean;
}

const atLeast = (min: number, name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  return n;
};
const positive = (name: string) => atLeast(1, name);

function listOf<T extends string>(allowed: readonly T[], name: string) {
  return (v: string): T[] => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
    if (bad.length || !items.length)
      throw new InvalidArgumentError(`${name}: unknown ${bad.join(', ') || '(none)'} (choose from ${allowed.join(', ')})`);
    return items as T[];
  };
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const program = new Command('bench')
    .description('beadflow benchmark: interpreter vs hand-written, transition latency, commit lock, scale')
    .option('--beads <n>', 'beads per runner and DAG in the comparison', positive('--beads'), 200)
    .option('--concurrency <n>', 'beads in flight in the comparison', positive('--concurrency'), 50)
    .option('--latency-beads <n>', 'beads run one at a time for the unloaded transition latency', positive('--latency-beads'), 20)
    .option('--throughput-concurrency <n>', 'beads in flight in the throughput section', positive('--throughput-concurrency'), 500)
    .option('--throughput-beads <n>', 'beads run in the throughput section', positive('--throughput-beads'), 600)
    .option('--parked <n>', 'beads parked at an approval (scale)', positive('--parked'))
    .option('--large', 'scale section with 10,000 parked beads')
    .option('--lock-beads <n>', 'beads contending for one repository lock', positive('--lock-beads'), 50)
    .option(
      '--servers <list>',
      `server variants: ${SERVER_VARIANTS.join(',')} (cluster: Temporal's own server on PostgreSQL)`,
      listOf(SERVER_VARIANTS, '--servers'),
      ['persisted', 'in-memory'],
    )
    .option('--baselines', 'also run hand-written workflows in the throughput and scale sections (slower)')
    .option('--sections <list>', `sections to run: ${SECTIONS.join(',')}`, listOf(SECTIONS, '--sections'), [...SECTIONS])
    .option(
      '--activity-concurrency <n>',
      'agent turns at once per role (npm run worker --concurrency)',
      positive('--activity-concurrency'),
      10,
    )
    .option(
      '--cache <n>',
      "sticky workflow cache size (npm run worker --cache; 0 = no sticky execution) [the worker's default, 320; throughput: its beads in flight]",
      atLeast(0, '--cache'),
    )
    .option(
      '--dynamic-config <key=value>',
      'extra dev-server dynamic config (repeatable), e.g. history.transferProcessorMaxPollRPS=20 (the old default)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--ledger-url <url>', 'PostgreSQL ledger for the worker (default: off; the ledger activity still runs, writing nothing)')
    .option('--json', 'print one JSON document with every figure on stdout')
    .option('--save', 'also write the results to bench/results/<date>.json')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const o = program.opts<{
    beads: number;
    concurrency: number;
    latencyBeads: number;
    throughputConcurrency: number;
    throughputBeads: number;
    parked?: number;
    large?: boolean;
    lockBeads: number;
    servers: ServerVariant[];
    baselines?: boolean;
    sections: Section[];
    activityConcurrency: number;
    cache?: number;
    dynamicConfig: string[];
    ledgerUrl?: string;
    json?: boolean;
    save?: boolean;
  }>();
  return {
    beads: o.beads,
    concurrency: o.concurrency,
    latencyBeads: o.latencyBeads,
    throughputConcurrency: o.throughputConcurrency,
    throughputBeads: o.throughputBeads,
    parked: o.parked ?? (o.large ? 10_000 : 1_000),
    lockBeads: o.lockBeads,
    servers: o.servers,
    baselines: !!o.baselines,
    sections: o.sections,
    activityConcurrency: o.activityConcurrency,
    maxCachedWorkflows: o.cache,
    dynamicConfig: o.dynamicConfig,
    ledgerUrl: o.ledgerUrl,
    json: !!o.json,
    save: !!o.save,
  };
}
