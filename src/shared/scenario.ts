/** Scripted-agent scenarios: a YAML map `node_key -> [outcome, ...]` (ARCHITECTURE.md). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isDuration } from '../dsl/duration';
import type { Scenario } from './bead';

const PLAIN = new Set(['success', 'failure', 'approved', 'rejected', 'redispatch']);

export function isScenarioOutcome(value: string): boolean {
  return PLAIN.has(value) || (value.startsWith('sleep:') && isDuration(value.slice(6)));
}

/** Parses and checks a scenario; errors name the file, the node and what is allowed. */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: a scenario is a map of node_key -> [outcome, ...]`);
  const scenario: Scenario = {};
  for (const [node, value] of Object.entries(raw as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    const outcomes = list.map(String);
    const bad = outcomes.find((o) => !isScenarioOutcome(o));
    if (bad !== undefined) {
      throw new Error(
        `${file}: node "${node}": unknown outcome "${bad}" (use success, failure, approved, rejected, redispatch or sleep:<duration> such as sleep:30s)`,
      );
    }
    if (outcomes.length > 0) scenario[node] = outcomes;
  }
  return scenario;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}
