/**
 * Helpers for provider tests: a fake TurnContext (an AbortController, recorded heartbeats and
 * log lines), turn inputs, executable scripts in a temp dir, and which processes of a process
 * group are still alive (zombies excluded: on this machine PID 1 does not reap orphans).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TurnContext } from '../../src/activities/agents/provider';
import type { AgentTurnInput } from '../../src/shared/agent';

export interface FakeTurn {
  ctx: TurnContext;
  controller: AbortController;
  heartbeats: unknown[];
  logs: string[];
}

export function fakeTurn(opts: { deadline?: number } = {}): FakeTurn {
  const controller = new AbortController();
  const heartbeats: unknown[] = [];
  const logs: string[] = [];
  const ctx: TurnContext = {
    signal: controller.signal,
    heartbeat: (d) => heartbeats.push(d),
    log: (message, fields) => logs.push(fields && Object.keys(fields).length ? `${message} ${JSON.stringify(fields)}` : message),
    deadline: opts.deadline,
  };
  return { ctx, controller, heartbeats, logs };
}

export function turnInput(over: Partial<Omit<AgentTurnInput, 'node'>> & { node?: Partial<AgentTurnInput['node']> } = {}): AgentTurnInput {
  const { node, ...rest } = over;
  return {
    beadId: 'bead-test-1',
    bead: { title: 'Discount is wrong', description: 'applyDiscount(100, 10) returns 10', type: 'bug', priority: 'P1', labels: ['bug'] },
    node: { key: 'investigate', type: 'task', role: 'QA Engineer', instructions: 'Find the cause.', ...node },
    attempt: 1,
    dispatch: 1,
    dispatchIndex: 0,
    historySummary: [],
    context: [],
    ...rest,
  };
}

export function tempDir(prefix = 'beadflow-agents-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an executable script and returns its path. */
export function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body.startsWith('#!') ? body : `#!/bin/sh\n${body}`);
  chmodSync(file, 0o755);
  return file;
}

/** PIDs in process group `pgid` that are still running (not zombies). Linux /proc. */
export function liveGroupMembers(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') live.push(Number(entry));
  }
  return live;
}

/** The pid a runProcess-based provider reported in its heartbeats. */
export function heartbeatPid(heartbeats: unknown[]): number | undefined {
  for (const h of heartbeats) {
    const pid = (h as { pid?: unknown } | undefined)?.pid;
    if (typeof pid === 'number') return pid;
  }
  return undefined;
}
