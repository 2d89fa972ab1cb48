/** What the figures were measured on: cores, memory, Node, Temporal CLI/server, SDK, OS. */
import * as os from 'node:os';
import type { TemporalBinary } from '../../src/temporal/binary';
import { runCapture } from '../../src/system/process';

export interface MachineDescription {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
  temporalCli: string;
  /** `temporal --version`, e.g. "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)". */
  temporalVersionLine: string;
  temporalSdk: string;
}

export async function describeMachine(binary: TemporalBinary): Promise<MachineDescription> {
  const version = await runCapture(binary.path, ['--version'], { timeoutMs: 10_000 });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = (require('@temporalio/worker/package.json') as { version: string }).version;
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalCli: binary.version,
    temporalVersionLine: version.stdout.trim() || version.stderr.trim(),
    temporalSdk: sdk,
  };
}
