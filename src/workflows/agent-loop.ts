/**
 * `agentLoop`: one model agent's turn as a child workflow. Each model call and each tool call is
 * its own activity on the queue of the host that holds the worktree, so the transcript lives in
 * this workflow's history: a worker killed after the k-th model call resumes at call k+1 with
 * the same transcript and without paying for the calls already made. The rules (limits, when the
 * turn ends) are in src/interpreter/agent-loop.ts; this is the shell that runs them.
 */
import { proxyActivities } from '@temporalio/workflow';
import { AgentLoop } from '../interpreter/agent-loop';
import type { LoopStep } from '../interpreter/agent-loop';
import type { AgentTurnResult } from '../shared/agent';
import type { AgentLoopPlan, HostActivities } from '../shared/agent-loop';
import { hostOptions } from './activity-options';

export interface AgentLoopInput {
  beadId: string;
  node: string;
  plan: AgentLoopPlan;
  /** Epoch ms when the node's deadline ends the turn (the parent cancels this workflow then). */
  deadline?: number;
  /** Heartbeat timeout of each step (default 30 s): how soon a dead host's step is retried. */
  heartbeatTimeoutMs?: number;
}

function hostActivities(plan: AgentLoopPlan, node: string, deadline?: number, heartbeatTimeoutMs?: number) {
  const options = hostOptions(plan.hostQueue, node, deadline, heartbeatTimeoutMs);
  const model = proxyActivities<HostActivities>(options.model);
  const tools = proxyActivities<HostActivities>(options.tools);
  return { modelCall: model.modelCall, toolCall: tools.toolCall, finishTurn: tools.finishTurn };
}

export async function agentLoop(input: AgentLoopInput): Promise<AgentTurnResult> {
  const { plan, beadId, node, deadline } = input;
  const host = hostActivities(plan, node, deadline, input.heartbeatTimeoutMs);
  const loop = new AgentLoop(plan);
  let step: LoopStep = { kind: 'model' };
  while (step.kind !== 'done') {
    if (step.kind === 'model') {
      const reply = await host.modelCall({
        model: plan.model,
        system: plan.system,
        messages: loop.messages,
        tools: plan.tools,
        beadId,
        node,
      });
      step = loop.afterModel(reply);
      continue;
    }
    for (const call of step.calls) {
      const outcome =
        AgentLoop.refusal(call) ??
        (await host.toolCall({
          beadId,
          name: call.toolName,
          input: call.input,
          worktree: plan.worktree,
          testCommand: plan.testCommand,
          timeoutMs: deadline ? Math.max(1_000, deadline - Date.now()) : undefined,
        }));
      loop.afterTool(call, outcome);
    }
    step = loop.next();
  }
  const usage = { ...loop.usage };
  if (plan.finish?.merge && plan.worktree) {
    // A conflict resolution: only a successful one concludes the merge (a pushed failure would move the bead's ref).
    if (step.outcome !== 'success') return { outcome: step.outcome, summary: step.summary, agent: plan.agent, usage };
    const done = await host.finishTurn({ beadId, worktree: plan.worktree, finish: plan.finish });
    if (done.unresolved) return { outcome: 'failure', summary: done.unresolved, agent: plan.agent, usage };
    return { outcome: 'success', summary: step.summary, agent: plan.agent, usage, head: done.head };
  }
  // What the turn changed is committed and pushed whatever its outcome: a failed attempt's work is evidence.
  const head =
    plan.finish && plan.worktree ? (await host.finishTurn({ beadId, worktree: plan.worktree, finish: plan.finish })).head : undefined;
  return {
    outcome: step.outcome,
    summary: step.summary,
    agent: plan.agent,
    usage,
    ...(head ? { head } : {}),
  };
}
