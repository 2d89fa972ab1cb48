import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Command } from 'commander';
import { lockWorkflowId, resolveUpstream } from '../../activities/git/repo';
import type { LockState } from '../../shared/commit-lock';
import { formatLease, LOCK_STATE_QUERY } from '../../shared/commit-lock';
import { GRPC_STATUS, grpcCodeOf } from '../../client/grpc';
import { action } from '../action';
import { connectClient } from '../connection';
import { CliError, usageError } from '../errors';
import { printJson } from '../format';

interface LockStatusFlags {
  repo?: string;
  json?: boolean;
}

/** `beadflow lock status [--repo PATH] [--json]`: who holds a repository's commit lock, who waits. */
export function register(program: Command): void {
  const lock = program.command('lock').description("a repository's commit lock (one commitLock workflow per repository)");
  lock
    .command('status')
    .description('holder, fencing token, lease and waiters of the commit lock')
    .option('--repo <path>', 'repository: bare, a clone with origin, or a URL (BEADFLOW_REPO)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: LockStatusFlags) => {
        const repo = flags.repo ?? process.env.BEADFLOW_REPO;
        if (!repo)
          throw usageError(
            'which repository? no --repo given and BEADFLOW_REPO is not set',
            'pass --repo PATH (the repository beads commit to)',
          );
        const upstream = await resolveUpstream(repo).catch((err: unknown) => {
          throw new CliError((err as Error).message, { hint: 'pass --repo with the repository beads were started with' });
        });
        const lockId = lockWorkflowId(upstream);
        const state = await lockState(await connectClient(), lockId);
        if (flags.json) {
          printJson(state ?? { lockId, repo: upstream, exists: false });
          return;
        }
        process.stdout.write(
          state ? `${formatLockState(state)}\n` : `no lock workflow for this repository yet (${lockId} for ${upstream})\n`,
        );
      }),
    );
}

/** The lock's state, or undefined when no lock workflow runs for it (never started, or ended). */
async function lockState(client: Client, lockId: string): Promise<LockState | undefined> {
  const handle = client.workflow.getHandle(lockId);
  try {
    const described = await handle.describe();
    if (described.status.name !== 'RUNNING') return undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  try {
    return await handle.query<LockState>(LOCK_STATE_QUERY);
  } catch (err) {
    // The server's "no poller seen for task queue recently" is FAILED_PRECONDITION.
    if (grpcCodeOf(err) !== GRPC_STATUS.FAILED_PRECONDITION) throw err;
    throw new CliError(`the lock workflow ${lockId} runs, but no worker answers for it`, {
      hint: 'start a worker that serves the workflow queue: `npm run worker`',
    });
  }
}

export function formatLockState(s: LockState): string {
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  const h = s.holder;
  const lines = [`lock        ${s.lockId} for ${s.repo}`];
  lines.push(
    h
      ? `holder      ${h.beadId} (node ${h.node}, token ${h.token}) since ${time(h.heldSince)}, lease ${formatLease(h.leaseMs)} (expires ${time(h.leaseExpiresAt)})`
      : `holder      none: the lock is free (last token ${s.token})`,
  );
  lines.push(`waiters     ${s.waiters.length} (capacity ${s.capacity})`);
  for (const w of s.waiters)
    lines.push(`  ${w.position}. ${w.beadId} (node ${w.node}${w.priority ? `, ${w.priority}` : ''}) queued ${time(w.queuedAt)}`);
  if (s.warnings.length) {
    lines.push('warnings');
    for (const w of s.warnings) lines.push(`  ${time(w.at)} ${w.message}`);
  }
  const st = s.stats;
  lines.push(
    `totals      ${st.granted} granted, ${st.released} released, ${st.forced} forced, ${st.refused} refused, ${st.withdrawn} withdrawn (generation ${s.generation})`,
  );
  return lines.join('\n');
}
