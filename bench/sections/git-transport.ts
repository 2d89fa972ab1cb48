/**
 * What the git transport adds to a turn: preparing the worktree from the recorded commit (fetch
 * when this host lacks it, reset, clean) and, after the turn, the work-in-progress commit and the
 * leased push of the bead's ref. Measured on a local bare remote, each turn on a host that did
 * not make the previous commit (as when roles are split over hosts), against the same edit made
 * in a worktree that is simply kept (the baseline: no transport).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workspaces } from '../../src/activities/git/turn-workspace';
import { prepareWorkspace } from '../../src/activities/git/workspace';
import type { Summary } from '../stats';
import { summarize } from '../stats';

export interface GitTransportFigures {
  turns: number;
  /** prepare + finish (commit, leased push) per turn, alternating between two hosts. */
  transportMs: Summary;
  /** The same edit and commit in one kept worktree, no fetch or push. */
  baselineMs: Summary;
  overheadP50Ms: number;
}

const GIT = ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'init.defaultBranch=main'];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...GIT, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export async function measureGitTransport(turns = 20): Promise<GitTransportFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-bench-git-'));
  try {
    const remote = path.join(dir, 'remote.git');
    const seed = path.join(dir, 'seed');
    git(dir, 'init', '--quiet', '--bare', remote);
    git(dir, 'init', '--quiet', seed);
    writeFileSync(path.join(seed, 'file.txt'), 'start\n');
    git(seed, 'add', '--all');
    git(seed, 'commit', '--quiet', '-m', 'initial');
    git(seed, 'push', '--quiet', remote, 'HEAD:refs/heads/main');
    const hosts = [new Workspaces(path.join(dir, 'host-a')), new Workspaces(path.join(dir, 'host-b'))];
    const beadId = 'bench-git';
    const ws = await prepareWorkspace({ beadId, repo: remote }, path.join(dir, 'host-a'));
    let head = ws.head;
    const transport: number[] = [];
    for (let i = 0; i < turns; i++) {
      const t = performance.now();
      const turn = await hosts[i % 2].prepare(beadId, { upstream: ws.upstream!, ref: ws.ref!, head: head! });
      writeFileSync(path.join(turn.dir, 'file.txt'), `turn ${i}\n`);
      const done = await hosts[i % 2].finish(turn, { beadId, title: 'bench', node: 'edit', turn: `edit#${i}` });
      turn.release();
      transport.push(performance.now() - t);
      head = done.head;
    }
    const kept = path.join(dir, 'kept');
    git(dir, 'clone', '--quiet', remote, kept);
    const baseline: number[] = [];
    for (let i = 0; i < turns; i++) {
      const t = performance.now();
      writeFileSync(path.join(kept, 'file.txt'), `turn ${i}\n`);
      git(kept, 'add', '--all');
      git(kept, 'commit', '--quiet', '-m', `turn ${i}`);
      baseline.push(performance.now() - t);
    }
    const transportMs = summarize(transport.slice(2));
    const baselineMs = summarize(baseline.slice(2));
    return { turns, transportMs, baselineMs, overheadP50Ms: transportMs.p50 - baselineMs.p50 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
