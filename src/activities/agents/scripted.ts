/**
 * Deterministic agents for demos and tests: each dispatch of a node takes the next outcome of the
 * scenario (the last repeats). With no scenario, tasks succeed and approvals approve.
 */
import { CancelledFailure } from '@temporalio/common';
import { parseDuration } from '../../dsl/duration';
import type { AgentOutcome, AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import { withFollowUps } from '../../shared/answer';
import type { Scenario } from '../../shared/bead';
import { answerObject, splitScenarioOutcome } from '../../shared/scenario';
import { malformedResult } from '../errors';
import { sleep } from '../../system/process';
import type { AgentProvider, TurnContext } from './provider';

export class ScriptedAgent implements AgentProvider {
  readonly name = 'scripted';

  constructor(private readonly workerScenario: Scenario = {}) {}

  async runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult> {
    const script = input.scenario?.[input.node.key] ?? this.workerScenario[input.node.key] ?? [];
    const planned = script.length ? script[Math.min(input.dispatchIndex, script.length - 1)] : undefined;
    const { outcome, answer } = splitScenarioOutcome(planned ?? (input.node.type === 'approval' ? 'approved' : 'success'));
    if (outcome.startsWith('sleep:')) {
      const ms = parseDuration(outcome.slice(6));
      if (ms === undefined) throw malformedResult(this.name, `bad sleep duration in "${outcome}"`);
      await sleepWithHeartbeats(ms, ctx);
      return this.result('success', input, `slept ${outcome.slice(6)}, then succeeded`);
    }
    if (!['success', 'failure', 'approved', 'rejected', 'redispatch'].includes(outcome)) {
      throw malformedResult(this.name, `unknown outcome "${outcome}" for node ${input.node.key}`);
    }
    const result = this.result(outcome as AgentOutcome, input, `scripted ${outcome}`);
    if (answer === undefined) return result;
    const extra = answerObject(answer);
    if (!extra) throw malformedResult(this.name, `the answer after "${outcome}" for node ${input.node.key} is not a JSON object`);
    return { ...withFollowUps(result, extra.follow_ups), agent: this.name };
  }

  private result(outcome: AgentOutcome, input: AgentTurnInput, summary: string): AgentTurnResult {
    const feedback = input.feedback ? ` (feedback seen: ${input.feedback})` : '';
    return { outcome, summary: `${input.node.key}: ${summary}${feedback}`, agent: this.name };
  }
}

/** Sleeps in short slices, heartbeating, so a cancelled turn stops within a second. */
async function sleepWithHeartbeats(ms: number, ctx: TurnContext): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    ctx.heartbeat({ sleepingUntil: until });
    if (ctx.signal.aborted) throw new CancelledFailure('turn cancelled while sleeping');
    // sleep() removes its abort listener when the slice ends: a long sleep adds none that linger.
    await sleep(Math.min(500, until - Date.now()), ctx.signal);
  }
  if (ctx.signal.aborted) throw new CancelledFailure('turn cancelled while sleeping');
}
