/**
 * The commit lock: K beads with a one-commit-node definition and the same repository contend for
 * its `commitLock` workflow; the commits themselves are no-ops (bench/commit-stubs.ts). Measured:
 * grants per second, hand-off latency (a holder's commit ends → the next holder's commit starts:
 * release signal, lock's grant, grant signal, commit activity dispatch), the lock's own view
 * (lockState), and as a baseline the same K no-op commits without any lock.
 */
import type { temporal } from '@temporalio/proto';
import { beadInput, loadBenchDefinition } from '../beads';
import { benchLockId } from '../commit-stubs';
import type { BenchContext } from '../context';
import { mapLimit } from '../load';
import type { Summary } from '../stats';
import { ratePerSecond, summarize } from '../stats';
import type { TurnRecord } from '../worker-protocol';
import type { HandoffPart } from '../lock-profile';
import { HANDOFF_PARTS, profileHandoffs } from '../lock-profile';
import { startBeadRun } from '../../src/client/start';
import type { LockState } from '../../src/shared/commit-lock';
import { LOCK_STATE_QUERY } from '../../src/shared/commit-lock';

export interface LockFigures {
  beads: number;
  withLock: {
    wallMs: number;
    grantsPerSecond: number;
    handoffMs: Summary;
    /** Where the hand-off time goes (bench/lock-profile.ts). */
    handoffPartsMs?: Record<HandoffPart, Summary>;
    beadMs: Summary;
    lockStats?: LockState['stats'];
    inOrderOfTokens: boolean;
  };
  withoutLock: { wallMs: number; commitsPerSecond: number; beadMs: Summary };
}

export async function measureLock(ctx: BenchContext, beads: number): Promise<LockFigures> {
  const definition = loadBenchDefinition('commit.yaml');
  const repo = `bench://${ctx.taskQueue}/repo`;
  // All start together: each bead requests the lock as soon as it starts.
  const ids = Array.from({ length: beads }, () => ctx.beadId('lock'));
  const beadMs: number[] = [];
  const t0 = performance.now();
  await mapLimit(ids, beads, async (id) => {
    const input = beadInput(id, definition, ctx.roleQueuePrefix);
    input.bead.repo = repo;
    const t = performance.now();
    await (await startBeadRun(ctx.client, input, ctx.taskQueue)).result();
    beadMs.push(performance.now() - t);
    ctx.progress.tick('lock: beads committed', beadMs.length, beads);
  });
  const wallMs = performance.now() - t0;
  const commits = (await ctx.worker.drainTurns()).filter((t) => t.node.startsWith('commit:')).sort((a, b) => a.start - b.start);
  const lockState = await ctx.client.workflow
    .getHandle(benchLockId(repo))
    .query<LockState>(LOCK_STATE_QUERY)
    .catch(() => undefined);
  const handoffs = commits.slice(1).map((c, i) => c.start - commits[i].end);
  const handoffPartsMs = await handoffBreakdown(ctx, commits, benchLockId(repo)).catch((err: unknown) => {
    ctx.progress.note(`lock: no hand-off breakdown (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  });
  const withLock = {
    wallMs,
    grantsPerSecond: ratePerSecond(commits.length, span(commits)),
    handoffMs: summarize(handoffs),
    handoffPartsMs,
    beadMs: summarize(beadMs),
    lockStats: lockState?.stats,
    inOrderOfTokens: commits.every((c, i) => i === 0 || (c.token ?? 0) > (commits[i - 1].token ?? 0)),
  };
  ctx.progress.note(
    `lock: ${commits.length} grants, ${withLock.grantsPerSecond.toFixed(1)}/s, hand-off p50 ${withLock.handoffMs.p50.toFixed(1)} ms p95 ${withLock.handoffMs.p95.toFixed(1)} ms`,
  );

  const baseMs: number[] = [];
  const t1 = performance.now();
  await mapLimit(ids, beads, async (id, i) => {
    const t = performance.now();
    const workflowId = `${id}-nolock`;
    const workspace = {
      worktree: `/nonexistent/bench/${id}`,
      branch: `beadflow/${id}`,
      targetBranch: 'main',
      upstream: repo,
      lockId: benchLockId(repo),
    };
    await ctx.client.workflow.execute('handCommit', {
      workflowId,
      taskQueue: ctx.taskQueue,
      args: [
        { beadId: workflowId, title: 'benchmark bead', node: 'land', workspace, requestId: `nolock-${i}`, token: 0, leaseMs: 300_000 },
      ],
    });
    baseMs.push(performance.now() - t);
  });
  const baseWallMs = performance.now() - t1;
  const baseCommits = (await ctx.worker.drainTurns()).filter((t) => t.node.startsWith('commit:'));
  const withoutLock = { wallMs: baseWallMs, commitsPerSecond: ratePerSecond(baseCommits.length, baseWallMs), beadMs: summarize(baseMs) };
  ctx.progress.note(`lock baseline: ${baseCommits.length} no-op commits without the lock in ${(baseWallMs / 1000).toFixed(1)} s`);
  return { beads, withLock, withoutLock };
}

async function handoffBreakdown(ctx: BenchContext, commits: TurnRecord[], lockId: string): Promise<Record<HandoffPart, Summary>> {
  const beads = new Map<string, temporal.api.history.v1.IHistory>();
  await mapLimit(commits, 10, async (c) => beads.set(c.beadId, await ctx.client.workflow.getHandle(c.beadId).fetchHistory()));
  const lock = await ctx.client.workflow.getHandle(lockId).fetchHistory();
  const parts = profileHandoffs(commits, beads, lock);
  return Object.fromEntries(HANDOFF_PARTS.map((p) => [p, summarize(parts[p])])) as Record<HandoffPart, Summary>;
}

function span(records: TurnRecord[]): number {
  if (records.length < 2) return 0;
  return Math.max(...records.map((r) => r.end)) - Math.min(...records.map((r) => r.start));
}
