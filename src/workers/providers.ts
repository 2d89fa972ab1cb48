/** Picks the agent provider a worker runs: --agent / BEADFLOW_AGENT (default `scripted`). */
import type { AgentProvider } from '../activities/agents/provider';
import { ScriptedAgent } from '../activities/agents/scripted';
import type { Scenario } from '../shared/bead';
import { loadScenarioFile } from '../shared/scenario';

export const PROVIDERS = ['scripted'] as const;

export interface ProviderOptions {
  agent?: string;
  scenarioFile?: string;
  env?: NodeJS.ProcessEnv;
}

export function createProvider(opts: ProviderOptions): AgentProvider {
  const env = opts.env ?? process.env;
  const name = opts.agent ?? env.BEADFLOW_AGENT ?? 'scripted';
  switch (name) {
    case 'scripted': {
      const file = opts.scenarioFile ?? env.BEADFLOW_SCENARIO;
      const scenario: Scenario = file ? loadScenarioFile(file) : {};
      return new ScriptedAgent(scenario);
    }
    default:
      throw new Error(`unknown agent provider "${name}" (available: ${PROVIDERS.join(', ')})`);
  }
}
