/** The step format's converter: steps → native nodes and edges, and a locator back into the step file. */
import type { Locator } from '../finding';
import type { Converted } from './convert';

export { convertSteps, type Converted } from './convert';
export { STEP_RETRY } from './settings';
export { substitute, substituteString } from './variables';

/** Node fields → the step key they came from. */
const STEP_KEY: Record<string, string> = {
  node_key: 'id',
  node_type: 'type',
  role_required: 'persona',
  persona_hint: 'persona',
  instructions: 'name',
  timeout: 'timeout',
  max_attempts: 'retries',
  retry: 'retries',
  when: 'condition',
};

/** Maps native paths (["nodes", 3, "role_required"], ["edges", 2]) to the step they came from. */
export function stepLocator(converted: Pick<Converted, 'nodeAt' | 'edgeAt'>, locate: Locator): Locator {
  return (path) => {
    const [list, index, field] = path;
    const origins = list === 'nodes' ? converted.nodeAt : list === 'edges' ? converted.edgeAt : undefined;
    const at = typeof index === 'number' ? origins?.[index] : undefined;
    if (!at) return locate(['steps']);
    const key = list === 'nodes' && typeof field === 'string' ? STEP_KEY[field] : undefined;
    return locate(key ? [...at, key] : at);
  };
}
