/** A problem found while converting steps, located by its path in the step-format YAML; and the keys and limits the converter knows. */
import type { Severity } from '../finding';

export type YamlPath = ReadonlyArray<string | number>;

export interface StepIssue {
  severity: Severity;
  code: string;
  path: YamlPath;
  message: string;
  hint: string;
}

/** Steps per file (sub-steps included): the dependency analysis is quadratic. */
export const MAX_STEPS = 1000;
export const STEP_KEYS = new Set([
  'id',
  'name',
  'description',
  'type',
  'persona',
  'dependencies',
  'depends_on',
  'timeout',
  'retries',
  'params',
  'condition',
  'operation',
  'steps',
  'wait_for',
  'workflow',
  'config',
]);
export const TOP_KEYS = new Set(['name', 'version', 'description', 'variables', 'steps', 'id']);
