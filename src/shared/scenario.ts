/** Scripted-agent scenarios: a YAML map `node_key -> [outcome, ...]` (ARCHITECTURE.md). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isDuration } from '../dsl/duration';
import type { Scenario } from './bead';

const PLAIN = new Set(['success', 'failure', 'approved', 'rejected', 'redispatch']);

export function isScenarioOutcome(value: string): boolean {
  const { outcome, answer } = splitScenarioOutcome(value);
  if (answer !== undefined && (!PLAIN.has(outcome) || answerObject(answer) === undefined)) return false;
  return PLAIN.has(outcome) || (outcome.startsWith('sleep:') && isDuration(outcome.slice(6)));
}

/**
 * `success {"follow_ups": [...]}`: an outcome, then optionally the rest of a JSON answer, so a
 * scripted agent can file follow-up beads like a real one.
 */
export function splitScenarioOutcome(value: string): { outcome: string; answer?: string } {
  const at = value.indexOf('{');
  if (at < 0) return { outcome: value.trim() };
  return { outcome: value.slice(0, at).trim(), answer: value.slice(at) };
}

/** The JSON object of an outcome's answer part, or undefined when it is not one. */
export function answerObject(text: string): Record<string, unknown> | undefined {
  try {
    const raw: unknown = JSON.parse(text);
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
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
        `${file}: node "${node}": unknown outcome "${bad}" (use success, failure, approved, rejected, redispatch or sleep:<duration> such as sleep:30s; an outcome may be followed by a JSON object such as {"follow_ups": [{"title": "..."}]})`,
      );
    }
    if (outcomes.length > 0) scenario[node] = outcomes;
  }
  return scenario;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}
