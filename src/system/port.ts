/** Ports, one home: is something listening, wait until it is, is a port free, pick a free one. */
import * as http from 'node:http';
import * as net from 'node:net';
import { sleep } from './process';

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitForPortOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts: a reason to stop waiting (e.g. "the server exited with code 1"). */
  abortReason?: () => string | undefined;
}

/** Polls until host:port accepts connections; throws on deadline or when `abortReason` says so. */
export async function waitForPort(host: string, port: number, opts: WaitForPortOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await isPortOpen(host, port)) return;
    const aborted = opts.abortReason?.();
    if (aborted) throw new Error(aborted);
    if (Date.now() > deadline) throw new Error(`nothing answered on ${host}:${port} within ${opts.timeoutMs}ms`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** One GET; true on a 2xx answer within `timeoutMs`. */
export function isHttpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/** Polls until `url` answers 2xx; throws on the deadline or when `abortReason` says so. */
export async function waitForHttpOk(url: string, opts: WaitForPortOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await isHttpOk(url)) return;
    const aborted = opts.abortReason?.();
    if (aborted) throw new Error(aborted);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${opts.timeoutMs}ms`);
    await sleep(opts.intervalMs ?? 200);
  }
}

/** A port nothing listens on right now (the OS picks it); for servers started by tests and tools. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when this process could listen on `port` (127.0.0.1) right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
