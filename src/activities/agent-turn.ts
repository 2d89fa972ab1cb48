/** The `agentTurn` activity: one turn of one agent, through whichever provider this worker runs. */
import { Context } from '@temporalio/activity';
import type { AgentTurnInput, AgentTurnResult } from '../shared/agent';
import { AGENT_OUTCOMES } from '../shared/agent';
import { MAX_FOLLOW_UPS, parseFollowUps } from '../shared/follow-ups';
import type { AgentProvider } from './agents/provider';
import { isLoopPlanner } from './agents/llm';
import { RoleRoutedProvider } from './agents/routed';
import { withVerify } from './agents/verify';
import { resolveConflict } from './conflict-turn';
import { malformedResult } from './errors';
import { Workspaces } from './git/turn-workspace';
import { worktreesRoot } from './git/repo';
import type { AgentActivities } from './types';

export interface TurnObserver {
  /** Called when a turn starts and ends; tests and the benchmark use it to see what ran. */
  (event: { phase: 'start' | 'end' | 'cancelled'; input: AgentTurnInput; result?: AgentTurnResult }): void;
}

export function createAgentActivities(
  agent: AgentProvider,
  observe?: TurnObserver,
  opts: { worktreesRoot?: string; hostQueue?: string } = {},
): AgentActivities {
  // Verify nodes with a command run it, whatever agent this worker runs.
  const provider = withVerify(agent);
  const workspaces = new Workspaces(opts.worktreesRoot ?? worktreesRoot());
  return {
    async agentTurn(input: AgentTurnInput): Promise<AgentTurnResult> {
      const ctx = Context.current();
      const log = (message: string, fields?: Record<string, unknown>) =>
        ctx.log.info(message, { beadId: input.beadId, node: input.node.key, ...fields });
      observe?.({ phase: 'start', input });
      log('agent turn started', { role: input.node.role, attempt: input.attempt, dispatch: input.dispatch });
      // The bead's work on this host: a worktree reset to the recorded commit (every attempt starts clean).
      const ws = input.workspace ? await workspaces.prepare(input.beadId, input.workspace) : undefined;
      try {
        const own = agent instanceof RoleRoutedProvider ? agent.providerFor(input.node.role) : agent;
        const runsCommand = input.node.type === 'verify' && !!input.node.verify?.command.length;
        if (isLoopPlanner(own) && !runsCommand && input.canLoop && opts.hostQueue) {
          const plan = await own.planLoop(input, {
            queue: opts.hostQueue,
            worktree: ws?.dir,
            ...(ws && input.node.type !== 'verify'
              ? {
                  finish: {
                    ...ws.workspace,
                    title: input.bead.title,
                    node: input.node.key,
                    turn: `${input.node.key}#${input.dispatchIndex}`,
                  },
                }
              : {}),
          });
          log('agent turn handed to its loop', { hostQueue: plan.hostQueue, model: plan.model, tools: plan.tools.length });
          return { outcome: 'success', summary: '', agent: plan.agent, loop: plan };
        }
        const deadline = ctx.info.startToCloseTimeoutMs ? Date.now() + ctx.info.startToCloseTimeoutMs : undefined;
        const turnInput = ws ? { ...input, worktree: ws.dir } : input;
        const result = await provider.runTurn(turnInput, {
          signal: ctx.cancellationSignal,
          heartbeat: (d) => ctx.heartbeat(d),
          log,
          deadline,
        });
        const checked = checkResult(provider.name, result);
        // A verify node checks the work; what its command leaves behind is not work.
        if (ws && input.node.type !== 'verify') {
          checked.head = (
            await workspaces.finish(ws, {
              beadId: input.beadId,
              title: input.bead.title,
              node: input.node.key,
              turn: `${input.node.key}#${input.dispatchIndex}`,
            })
          ).head;
        } else if (ws) checked.head = ws.workspace.head;
        observe?.({ phase: 'end', input, result: checked });
        log('agent turn finished', { outcome: checked.outcome, followUps: checked.followUps?.length ?? 0 });
        for (const w of checked.followUpWarnings ?? []) log(`agent answer: ${w}`);
        return checked;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) observe?.({ phase: 'cancelled', input });
        throw err;
      } finally {
        ws?.release();
      }
    },

    async resolveConflict(input) {
      const ctx = Context.current();
      const log = (message: string, fields?: Record<string, unknown>) =>
        ctx.log.info(message, { beadId: input.beadId, node: input.node, round: input.round, ...fields });
      const own = agent instanceof RoleRoutedProvider ? agent.providerFor(input.role) : agent;
      const deadline = ctx.info.startToCloseTimeoutMs ? Date.now() + ctx.info.startToCloseTimeoutMs : undefined;
      ctx.heartbeat();
      // Providers heartbeat while they work, as in agentTurn: a hung agent is noticed.
      const result = await resolveConflict(
        input,
        own,
        workspaces,
        {
          signal: ctx.cancellationSignal,
          heartbeat: (d) => ctx.heartbeat(d),
          log,
          deadline,
        },
        opts.hostQueue,
      );
      if (result.loop) log('conflict resolution handed to its loop', { hostQueue: result.loop.hostQueue, model: result.loop.model });
      else log(`conflict resolution ${result.resolved ? 'done' : 'failed'}: ${result.summary}`);
      return result;
    },
  };
}

function checkResult(provider: string, result: AgentTurnResult): AgentTurnResult {
  if (!result || typeof result !== 'object') throw malformedResult(provider, 'no result object');
  if (!(AGENT_OUTCOMES as readonly string[]).includes(result.outcome)) {
    throw malformedResult(provider, `outcome "${String(result.outcome)}" is not one of ${AGENT_OUTCOMES.join(', ')}`);
  }
  const checked: AgentTurnResult = {
    outcome: result.outcome,
    summary: String(result.summary ?? '').slice(0, 4000),
    agent: result.agent || provider,
  };
  if (result.followUps === undefined)
    return result.followUpWarnings?.length ? { ...checked, followUpWarnings: result.followUpWarnings } : checked;
  // Checked again: a provider other than the answer parser may have set them.
  const again = parseFollowUps(result.followUps);
  const warnings = [...(result.followUpWarnings ?? []), ...again.warnings].slice(0, MAX_FOLLOW_UPS + 1);
  return {
    ...checked,
    ...(again.followUps.length ? { followUps: again.followUps } : {}),
    ...(warnings.length ? { followUpWarnings: warnings } : {}),
  };
}
