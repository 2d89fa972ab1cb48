/**
 * Integration-test harness: a local Temporal dev server per test file (our search attributes
 * registered), unique ids so tests never share workflows or task queues, and a polling `waitFor`.
 *
 *   const env = await startTestEnv();            // in before()
 *   const taskQueue = uniqueId('tq');
 *   await waitFor(async () => (await handle.query(state)).status === 'completed', { what: 'bead completion' });
 *   await env.teardown();                        // in after()
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { BEAD_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import type { ResolvedTemporal } from '../../src/temporal/binary';
import { notFoundMessage, resolveTemporalBinary, SDK_DOWNLOAD_ENV, temporalCacheDir } from '../../src/temporal/binary';
import { DYNAMIC_CONFIG } from '../../src/temporal/dev-server';
import { clusterRequested, startTestCluster, TEST_CLUSTER_ENV } from './cluster';

let resolving: Promise<ResolvedTemporal> | undefined;

/** The binary integration tests use; resolved (and logged) once per process. */
export function testTemporalBinary(): Promise<ResolvedTemporal> {
  // Step lines (a build, a fallback) go to stderr; the one-line verdict below says which binary.
  const log = (line: string) => {
    if (!line.startsWith('using ')) process.stderr.write(`temporal: ${line}\n`);
  };
  const fallbackReasons = process.env[SDK_DOWNLOAD_ENV];
  const resolve = (): Promise<ResolvedTemporal> =>
    fallbackReasons !== undefined && !process.env.TEMPORAL_CLI
      ? Promise.resolve({ source: 'sdk-download', version: 'default', reasons: fallbackReasons.split('; ') })
      : resolveTemporalBinary({ allowSdkDownload: true, log });
  resolving ??= resolve().then((bin) => {
    const where = bin.source === 'sdk-download' ? "the Temporal SDK's download" : bin.path;
    process.stderr.write(`integration tests use temporal at ${where} (${bin.source})\n`);
    return bin;
  });
  return resolving;
}

export interface TestEnvOptions {
  /** Default `default`. */
  namespace?: string;
  /** More `temporal server start-dev` flags, e.g. `['--dynamic-config-value', 'K=V']`. */
  extraArgs?: string[];
}

/**
 * The dev-server flags tests add: the same task-queue read rates `beadflow server` uses (without
 * them every transition waits ~45 ms), then the test's own, which override them.
 */
export function testServerExtraArgs(extra: string[] = []): string[] {
  return [...DYNAMIC_CONFIG.flatMap((setting) => ['--dynamic-config-value', setting]), ...extra];
}

/** A fresh in-memory dev server with the bead search attributes; call `teardown()` when done. */
export async function startTestEnv(opts: TestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  if (clusterRequested()) return startClusterEnv(opts);
  const bin = await testTemporalBinary();
  const server: LocalTestWorkflowEnvironmentOptions['server'] = {
    executable: bin.source === 'sdk-download' ? { type: 'cached-download' } : { type: 'existing-path', path: bin.path },
    namespace: opts.namespace,
    searchAttributes: [...BEAD_SEARCH_ATTRIBUTES],
    extraArgs: testServerExtraArgs(opts.extraArgs),
  };
  try {
    return await TestWorkflowEnvironment.createLocal({ server });
  } catch (err) {
    if (bin.source !== 'sdk-download') throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`the Temporal SDK could not download a dev server (${reason}).\n${notFoundMessage(bin.reasons, temporalCacheDir())}`);
  }
}

/**
 * BEADFLOW_TEST_CLUSTER=1: the same env on a real Temporal cluster (PostgreSQL, 2 shards) instead of
 * the dev server; teardown() stops the cluster and its database too. Dev-server flags do not apply.
 */
async function startClusterEnv(opts: TestEnvOptions): Promise<TestWorkflowEnvironment> {
  if (opts.extraArgs?.length) {
    process.stderr.write(`note: ${TEST_CLUSTER_ENV} is set; dev-server flags ${opts.extraArgs.join(' ')} do not apply to the cluster\n`);
  }
  const cluster = await startTestCluster({ namespace: opts.namespace });
  const { env } = cluster;
  env.teardown = () => cluster.teardown();
  return env;
}

let counter = 0;

/** `prefix-<time>-<pid>-<n>-<random>`: unique across tests, files and runs against one server. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${counter}-${randomBytes(3).toString('hex')}`;
}

export interface WaitForOptions {
  /** Default 10 000. */
  timeoutMs?: number;
  /** Default 25: the wait is pure waiting, and a query costs the server well under a millisecond. */
  intervalMs?: number;
  /** What we wait for, for the error message ("bead b-1 to complete"). */
  what?: string;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Calls `fn` until it returns a truthy value and returns that value. Errors thrown by `fn` count
 * as "not yet". On the deadline, throws with the last value and the last error.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
      last = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const detail =
    lastError !== undefined
      ? `last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`
      : `last value: ${inspect(last, { depth: 4, breakLength: Infinity })}`;
  throw new Error(`timed out after ${timeoutMs}ms (${attempts} attempts) waiting for ${opts.what ?? 'a condition'}; ${detail}`);
}

/** Ids of the child workflows a workflow started, in order. */
export async function childWorkflowIds(env: TestWorkflowEnvironment, workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId)
    .filter((id): id is string => !!id);
}
