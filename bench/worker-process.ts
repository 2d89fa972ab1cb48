/**
 * The benchmark's worker, in its own process so its RSS is the worker's alone: a WorkerSet with
 * the scripted agent (no delay) and a bundle holding beadWorkflow plus the hand-written
 * workflows. Records every turn's start and end through the activity's `observe` hook.
 */
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createCommitActivities } from '../src/activities/git';
import { ScriptedAgent } from '../src/activities/agents/scripted';
import { openWorkerLedger } from '../src/workers/ledger';
import { WorkerSet } from '../src/workers/worker-set';
import { stubCommitActivities } from './commit-stubs';
import type { FromWorker, ToWorker, TurnRecord, WorkerConfig } from './worker-protocol';

const now = () => performance.timeOrigin + performance.now();
const send = (m: FromWorker) => process.send?.(m);

let turns: TurnRecord[] = [];
const open = new Map<string, TurnRecord>();
const keepInputsOf = new Set<string>();
let set: WorkerSet | undefined;
let running: Promise<void> | undefined;

async function start(config: WorkerConfig): Promise<void> {
  // Activity logs at INFO would print two lines per turn; the benchmark measures the engine, not stderr.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: config.address });
  // The workflow queue's activities exactly as `npm run worker` registers them (src/workers/main.ts).
  const clientConnection = await Connection.connect({ address: config.address });
  const client = new Client({ connection: clientConnection, namespace: config.namespace });
  const ledger = await openWorkerLedger(config.ledgerUrl ? { mode: 'url', url: config.ledgerUrl } : { mode: 'off' }, {
    log: () => undefined,
  });
  const bundleStart = Date.now();
  set = await WorkerSet.create({
    connection,
    namespace: config.namespace,
    workflowTaskQueue: config.workflowTaskQueue,
    workflowsPath: require.resolve('./workflows'),
    roles: config.roles,
    roleQueuePrefix: config.roleQueuePrefix,
    provider: new ScriptedAgent(),
    workflowQueueActivities: {
      ...createCommitActivities({ client }),
      ...stubCommitActivities(
        (input, start, end) => turns.push({ beadId: input.beadId, node: `commit:${input.node}`, start, end, token: input.token }),
        now,
        client,
      ),
      ...ledger.activities,
    },
    maxConcurrentActivityTaskExecutions: config.activityConcurrency,
    maxCachedWorkflows: config.maxCachedWorkflows,
    shutdownGraceTimeMs: 5_000,
    observe: ({ phase, input }) => {
      const key = `${input.beadId}/${input.node.key}/${input.dispatchIndex}`;
      if (phase === 'start') {
        const record: TurnRecord = { beadId: input.beadId, node: input.node.key, start: now(), end: NaN };
        if (keepInputsOf.has(input.beadId)) record.input = input;
        open.set(key, record);
        return;
      }
      const record = open.get(key);
      open.delete(key);
      if (record && phase === 'end') {
        record.end = now();
        turns.push(record);
      }
    },
  });
  const bundleMs = Date.now() - bundleStart;
  running = set.run().finally(async () => {
    await ledger.close();
    await clientConnection.close();
    await connection.close();
  });
  // 'RUNNING' is the state in which a worker polls: the set is ready once every worker is in it.
  const deadline = Date.now() + 60_000;
  while (!set.workers.every((w) => w.getState() === 'RUNNING')) {
    if (Date.now() > deadline) throw new Error(`workers not polling after 60 s: ${set.workers.map((w) => w.getState()).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  send({ kind: 'ready', pid: process.pid, bundleMs, firstPollAt: now() });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.kind) {
    case 'start':
      await start(m.config).catch((err: unknown) =>
        send({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
      return;
    case 'drain': {
      const drained = turns;
      turns = [];
      send({ kind: 'reply', id: m.id, turns: drained });
      return;
    }
    case 'keep-inputs':
      m.beadIds.forEach((id) => keepInputsOf.add(id));
      send({ kind: 'reply', id: m.id });
      return;
    case 'memory': {
      const mem = process.memoryUsage();
      send({
        kind: 'reply',
        id: m.id,
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external },
      });
      return;
    }
    case 'stop':
      set?.shutdown();
      await running;
      send({ kind: 'reply', id: m.id });
      process.disconnect?.();
      return;
  }
}

process.on('message', (m: ToWorker) => {
  void handle(m);
});
// The benchmark died: do not linger as an orphan polling a server that is about to go away.
process.on('disconnect', () => {
  set?.shutdown();
  void running?.finally(() => process.exit(0));
  if (!running) process.exit(0);
});
