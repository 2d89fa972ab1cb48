/**
 * One worker, different agents per role (BEADFLOW_AGENT_<ROLE>=command): turns go to the
 * provider of their node's role, whatever spelling the definition used, else the default.
 */
import type { AgentTurnInput, AgentTurnResult } from '../../shared/agent';
import { roleSlug } from '../../shared/roles';
import type { AgentProvider, TurnContext } from './provider';

export class RoleRoutedProvider implements AgentProvider {
  readonly name: string;

  constructor(
    readonly fallback: AgentProvider,
    /** role slug → provider. */
    readonly byRole: ReadonlyMap<string, AgentProvider>,
  ) {
    this.name = fallback.name;
  }

  providerFor(role: string): AgentProvider {
    return this.byRole.get(roleSlug(role)) ?? this.fallback;
  }

  runTurn(input: AgentTurnInput, ctx: TurnContext): Promise<AgentTurnResult> {
    return this.providerFor(input.node.role).runTurn(input, ctx);
  }
}
