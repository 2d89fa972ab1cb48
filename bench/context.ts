/** One server variant's world: the dev server, a client, and the worker process polling it. */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { KNOWN_ROLES } from '../src/shared/roles';
import type { TemporalBinary } from '../src/temporal/binary';
import type { Progress } from './progress';
import type { BenchServer, ServerVariant } from './server';
import { cpuMsOf, startBenchServer } from './server';
import { WorkerHost } from './worker-host';

export interface WorkerTuning {
  activityConcurrency: number;
  maxCachedWorkflows: number;
  ledgerUrl?: string;
}

export interface BenchContext {
  server: BenchServer;
  client: Client;
  worker: WorkerHost;
  taskQueue: string;
  roleQueuePrefix: string;
  progress: Progress;
  /** CPU ms used so far by the server, the worker process and this process. */
  cpu(): CpuSample;
  /** A fresh id for a bead of this run. */
  beadId(prefix: string): string;
  close(): Promise<void>;
}

export interface CpuSample {
  server: number;
  worker: number;
  bench: number;
}

/** CPU ms each process used between two samples. */
export function cpuSpent(before: CpuSample, after: CpuSample): CpuSample {
  return { server: after.server - before.server, worker: after.worker - before.worker, bench: after.bench - before.bench };
}

/** CPU ms per agent turn, summed over samples. */
export function cpuPerTurn(samples: CpuSample[], turns: number): CpuSample {
  const sum = (k: keyof CpuSample) => samples.reduce((s, x) => s + x[k], 0) / Math.max(1, turns);
  return { server: sum('server'), worker: sum('worker'), bench: sum('bench') };
}

export async function openContext(
  variant: ServerVariant,
  binary: TemporalBinary,
  tuning: WorkerTuning,
  progress: Progress,
  dynamicConfig: string[] = [],
): Promise<BenchContext> {
  const server = await startBenchServer(variant, binary, (line) => progress.note(line), dynamicConfig);
  const connection = await Connection.connect({ address: server.handle.address });
  const client = new Client({ connection, namespace: server.handle.namespace });
  const run = randomBytes(3).toString('hex');
  const taskQueue = `bench-${run}`;
  const roleQueuePrefix = `bench-${run}-role-`;
  let worker: WorkerHost;
  try {
    worker = await WorkerHost.start({
      address: server.handle.address,
      namespace: server.handle.namespace,
      workflowTaskQueue: taskQueue,
      roleQueuePrefix,
      roles: [...KNOWN_ROLES],
      activityConcurrency: tuning.activityConcurrency,
      maxCachedWorkflows: tuning.maxCachedWorkflows,
      ledgerUrl: tuning.ledgerUrl,
    });
  } catch (err) {
    await connection.close();
    await server.stop();
    throw err;
  }
  progress.note(
    `worker process ${worker.pid}: spawn to first poll ${Math.round(worker.startToPollMs)} ms (bundle + workers ${worker.startupMs} ms), ${variant} server pid ${server.handle.pid}`,
  );
  let n = 0;
  return {
    server,
    client,
    worker,
    taskQueue,
    roleQueuePrefix,
    progress,
    cpu: () => {
      const self = process.cpuUsage();
      return { server: cpuMsOf(server.handle.pid) ?? NaN, worker: cpuMsOf(worker.pid) ?? NaN, bench: (self.user + self.system) / 1000 };
    },
    beadId: (prefix) => `${prefix}-${run}-${++n}`,
    async close() {
      await worker.stop();
      await connection.close();
      await server.stop();
    },
  };
}
