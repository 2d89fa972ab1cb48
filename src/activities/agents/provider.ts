/** One interface for every agent provider; the worker picks one (--agent / BEADFLOW_AGENT). */
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';

export interface TurnContext {
  /** Aborted when Temporal cancels the turn (node timeout, a person decided first, bead cancelled). */
  signal: AbortSignal;
  /** Keeps the turn alive and lets cancellation reach it; call at least every few seconds. */
  heartbeat(details?: unknown): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Epoch ms when Temporal gives up on this attempt (start-to-close): a backstop for long-running providers. */
  deadline?: number;
}

export interface AgentProvider {
  readonly name: string;
  runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult>;
}
