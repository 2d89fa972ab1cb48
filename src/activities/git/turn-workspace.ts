/**
 * An agent turn's worktree on whatever host runs it. `prepare` makes (or finds) this host's
 * clone, fetches the recorded commit if this host lacks it, and resets and cleans the worktree
 * to it, so a retried attempt starts exactly where the first one did. `finish` commits what the
 * turn changed as a work-in-progress commit and pushes it to the bead's ref with a lease on the
 * recorded commit.
 *
 * A refused lease means someone else moved the ref since the workflow recorded it. If the ref's
 * tip is this same turn's commit on top of the recorded one (an earlier attempt pushed, then its
 * worker died before reporting), that commit is adopted and this attempt's changes are dropped:
 * the turn leaves one run's result. Anything else is a stale host or a concurrent writer: the turn
 * fails with the non-retryable `BeadRefMoved`, and the newer work on the ref stays untouched.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../shared/errors';
import { acquire } from './mutex';
import { agentPidFile, killOrphanAgent } from '../agents/orphans';
import { checkoutClean, ensureCommit, openClone, worktreeDir, type HostClone } from './clone';
import { sanitizeSubject } from './message';
import { runGit, tryGit } from './run-git';
import type { TurnWorkspace } from './types';

export interface PreparedTurn {
  /** The worktree the turn works in. */
  dir: string;
  workspace: TurnWorkspace;
  clone: HostClone;
  /** Lets the next activity of this bead on this host use the worktree. */
  release(): void;
}

export interface TurnIdentity {
  beadId: string;
  title: string;
  node: string;
  /** Unique per turn of a bead, equal across retried attempts of the turn (e.g. `fix#3`). */
  turn: string;
}

export interface FinishedTurn {
  /** The commit the bead's work is at after the turn (unchanged when it changed nothing). */
  head: string;
  pushed: boolean;
  /** An earlier attempt of this turn had pushed: its commit was taken, this attempt's changes dropped. */
  adopted?: boolean;
}

export class Workspaces {
  constructor(
    readonly root: string,
    private readonly log?: HostClone['log'],
  ) {}

  async prepare(beadId: string, workspace: TurnWorkspace): Promise<PreparedTurn> {
    const clone = await openClone(workspace.upstream, this.root, this.log);
    const release = await acquire(worktreeDir(clone, beadId));
    try {
      // What an earlier attempt left running here must stop before the worktree is reset under it.
      await killOrphanAgent(agentPidFile(worktreeDir(clone, beadId)), this.log);
      await ensureCommit(clone, workspace.ref, workspace.head);
      const dir = await checkoutClean(clone, beadId, workspace.head);
      return { dir, workspace, clone, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  async finish(turn: Pick<PreparedTurn, 'dir' | 'workspace'>, id: TurnIdentity): Promise<FinishedTurn> {
    const { dir, workspace } = turn;
    await runGit(dir, ['add', '--all']);
    if ((await tryGit(dir, ['diff', '--cached', '--quiet'])).code === 0) return { head: workspace.head, pushed: false };
    const message = Workspaces.message(id);
    await runGit(dir, ['commit', '--quiet', '--no-verify', '-m', message]);
    return this.publish(turn, id, (await runGit(dir, ['rev-parse', 'HEAD'])).trim());
  }

  /** The turn's commit message: `wip(<node>): <title>` with the bead and turn trailers (the adoption check reads Bead-Turn). */
  static message(id: TurnIdentity, verb = 'wip'): string {
    return `${verb}(${id.node}): ${sanitizeSubject(id.title) || id.beadId}\n\nBead-Id: ${id.beadId}\nBead-Turn: ${id.turn}\n`;
  }

  /** Pushes the turn's commit `sha` to the bead's ref, leasing on the recorded commit. */
  async publish(turn: Pick<PreparedTurn, 'dir' | 'workspace'>, id: TurnIdentity, sha: string): Promise<FinishedTurn> {
    const { dir, workspace } = turn;
    const push = await tryGit(dir, [
      'push',
      '--porcelain',
      `--force-with-lease=${workspace.ref}:${workspace.head}`,
      'origin',
      `${sha}:${workspace.ref}`,
    ]);
    if (push.code === 0) return { head: sha, pushed: true };
    const text = `${push.stdout}\n${push.stderr}`;
    if (!/stale info|\[rejected\]|rejected|failed to push|cannot lock ref/i.test(text))
      throw new Error(`cannot push ${workspace.ref} to ${workspace.upstream}: ${text.trim().split('\n').slice(-2).join(' / ')}`);
    return this.afterRefusal(turn, id);
  }

  /** The lease was refused: take an earlier attempt's push of this very turn, else refuse to overwrite. */
  private async afterRefusal(turn: Pick<PreparedTurn, 'dir' | 'workspace'>, id: TurnIdentity): Promise<FinishedTurn> {
    const { dir, workspace } = turn;
    const listed = await runGit(dir, ['ls-remote', 'origin', workspace.ref]);
    const tip = listed.split(/\s/)[0] || '';
    if (tip) {
      await runGit(dir, ['fetch', '--no-tags', 'origin', `+${workspace.ref}:${workspace.ref}`]);
      const [parents, ...body] = (await runGit(dir, ['log', '-1', '--format=%P%n%B', tip])).split('\n');
      const turnTrailer = body
        .find((l) => l.startsWith('Bead-Turn: '))
        ?.slice('Bead-Turn: '.length)
        .trim();
      // First parent: a conflict resolution's commit is a merge whose second parent is the target.
      if (parents.trim().split(' ')[0] === workspace.head && turnTrailer === id.turn) {
        this.log?.('an earlier attempt of this turn had pushed its work: taking it, dropping this attempt', {
          ref: workspace.ref,
          head: tip,
        });
        await runGit(dir, ['reset', '--hard', tip]);
        return { head: tip, pushed: false, adopted: true };
      }
    }
    throw ApplicationFailure.create({
      type: ERROR_TYPES.beadRefMoved,
      nonRetryable: true,
      message: `${workspace.ref} on ${workspace.upstream} is at ${tip ? tip.slice(0, 10) : '(deleted)'}, not at ${workspace.head.slice(0, 10)} where turn ${id.turn} started: another host or a stale attempt moved it; this turn's changes were not pushed. Hint: check which worker still runs bead ${id.beadId} (\`beadflow status ${id.beadId}\`)`,
      details: [{ ref: workspace.ref, expected: workspace.head, found: tip || null }],
    });
  }
}
