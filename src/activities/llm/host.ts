/**
 * The activities a host serves on its own queue (`beadflow-host-<host>`) for the model agents'
 * turns it holds the worktree of: model calls, tool calls, and the turn's final commit and push.
 * The host id is BEADFLOW_HOST_ID, else this machine's name plus its worktrees folder, so a
 * worker restarted on the same host serves the same queue and picks up where the last one died.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { Context } from '@temporalio/activity';
import type { FinishTurnInput, FinishTurnResult, HostActivities, ToolCallInput, ToolOutcome } from '../../shared/agent-loop';
import { HOST_QUEUE_PREFIX } from '../../shared/agent-loop';
import type { TurnContext } from '../agents/provider';
import { concludeResolution } from '../conflict-turn';
import { acquire } from '../git/mutex';
import { Workspaces } from '../git/turn-workspace';
import { modelCallActivity } from './model-call';
import type { ModelCatalog } from './models';
import { isBuiltin, runBuiltinTool } from './tools';

/** The tools a role may add from MCP servers (src/activities/llm/mcp.ts). */
export interface ExtraTools {
  call(name: string, args: unknown, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<ToolOutcome>;
}

export function hostId(worktreesRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.BEADFLOW_HOST_ID) return env.BEADFLOW_HOST_ID.replace(/[^A-Za-z0-9_.-]/g, '-');
  const name = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-') || 'host';
  return `${name}-${createHash('sha256').update(worktreesRoot).digest('hex').slice(0, 8)}`;
}

export function hostQueue(id: string): string {
  return `${HOST_QUEUE_PREFIX}${id}`;
}

/** Variables commands started by tools never see: keys, tokens and passwords stay in the worker. */
const KEPT_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TERM', 'SHELL', 'CI'];

export function scrubbedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const key of KEPT_ENV) if (env[key] !== undefined) kept[key] = env[key];
  return kept;
}

export function createHostActivities(opts: {
  models: ModelCatalog;
  worktreesRoot: string;
  extraTools?: ExtraTools;
  env?: NodeJS.ProcessEnv;
}): HostActivities {
  const env = scrubbedEnv(opts.env ?? process.env);
  const workspaces = new Workspaces(opts.worktreesRoot);
  return {
    modelCall: modelCallActivity(opts.models),

    async toolCall(input: ToolCallInput): Promise<ToolOutcome> {
      const ctx = Context.current();
      if (isBuiltin(input.name)) {
        const turn: TurnContext = {
          signal: ctx.cancellationSignal,
          heartbeat: (d) => ctx.heartbeat(d),
          log: (message, fields) => ctx.log.info(message, { beadId: input.beadId, tool: input.name, ...fields }),
        };
        return runBuiltinTool(input.name, input.input, {
          worktree: input.worktree,
          testCommand: input.testCommand,
          timeoutMs: input.timeoutMs,
          env: { ...env, CI: '1', BEAD_ID: input.beadId },
          ctx: turn,
        });
      }
      if (opts.extraTools) {
        return opts.extraTools.call(input.name, input.input, { signal: ctx.cancellationSignal, timeoutMs: input.timeoutMs });
      }
      return { ok: false, text: `there is no tool "${input.name}": use one of the tools you were given` };
    },

    async finishTurn(input: FinishTurnInput): Promise<FinishTurnResult> {
      const { finish, worktree } = input;
      const release = await acquire(worktree);
      try {
        const turn = { dir: worktree, workspace: { upstream: finish.upstream, ref: finish.ref, head: finish.head } };
        const id = { beadId: input.beadId, title: finish.title, node: finish.node, turn: finish.turn };
        // A conflict resolution's loop: the merge is concluded only when the agent left it resolved.
        if (finish.merge) return await concludeResolution(turn, workspaces, id, finish.merge.files);
        const done = await workspaces.finish(turn, id);
        return { head: done.head };
      } finally {
        release();
      }
    },
  };
}
