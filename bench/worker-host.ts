/** The benchmark's side of its worker process: start it, ask it things, stop it. */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { FromWorker, MemoryFigures, ToWorker, TurnRecord, WorkerConfig } from './worker-protocol';

type Reply = Extract<FromWorker, { kind: 'reply' }>;
type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

export class WorkerHost {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private exitCode: number | null | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    /** Time to bundle the workflow code and create the workers. */
    readonly startupMs: number,
    /** From spawning the process to every worker polling ('RUNNING'). */
    readonly startToPollMs: number,
  ) {
    child.on('message', (m: FromWorker) => {
      if (m.kind !== 'reply') return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
    child.once('exit', (code) => {
      this.exitCode = code;
      for (const resolve of this.waiting.values()) resolve({ kind: 'reply', id: -1 });
      this.waiting.clear();
    });
  }

  /** Forks bench/worker-process.ts (under tsx, inherited from this process) and waits until it polls. */
  static async start(config: WorkerConfig, timeoutMs = 120_000): Promise<WorkerHost> {
    const spawnedAt = performance.timeOrigin + performance.now();
    const child = fork(require.resolve('./worker-process'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Extract<FromWorker, { kind: 'ready' }>>((resolve, reject) => {
      // A worker that failed to start must not keep this process alive through its IPC channel.
      const fail = (err: Error) => {
        child.kill('SIGKILL');
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`the benchmark worker did not start within ${timeoutMs / 1000}s`)), timeoutMs);
      child.on('message', (m: FromWorker) => {
        if (m.kind === 'ready' || m.kind === 'failed') clearTimeout(timer);
        if (m.kind === 'ready') resolve(m);
        if (m.kind === 'failed') fail(new Error(`the benchmark worker failed to start: ${m.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the benchmark worker exited with code ${code} before it was ready`));
      });
      child.send({ kind: 'start', config } satisfies ToWorker);
    });
    return new WorkerHost(child, ready.pid, ready.bundleMs, ready.firstPollAt - spawnedAt);
  }

  private request(message: Request): Promise<Reply> {
    if (this.exitCode !== undefined) return Promise.reject(new Error(`the benchmark worker exited (code ${this.exitCode})`));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...message, id } as ToWorker);
    });
  }

  /** Every turn finished since the last drain. */
  async drainTurns(): Promise<TurnRecord[]> {
    return (await this.request({ kind: 'drain' })).turns ?? [];
  }

  /** Keep the full turn inputs of these beads (for the equivalence check). */
  async keepInputs(beadIds: string[]): Promise<void> {
    await this.request({ kind: 'keep-inputs', beadIds });
  }

  async memory(): Promise<MemoryFigures | undefined> {
    return (await this.request({ kind: 'memory' })).memory;
  }

  /** Graceful shutdown; SIGKILL if it has not exited within 30 s. */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    void this.request({ kind: 'stop' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
