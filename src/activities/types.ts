/** Activity signatures, imported by workflow code as types only (the determinism boundary). */
import type { AgentTurnInput, AgentTurnResult } from '../shared/agent';

export interface AgentActivities {
  /** One agent turn; runs on the task queue of the node's role. */
  agentTurn(input: AgentTurnInput): Promise<AgentTurnResult>;
}
