/**
 * A step's `timeout`, `retries` and `condition` → the node's timeout, attempts, backoff and
 * guard (`when`, with the file's variables in `metadata.variables` for `variables.x`). Seconds (or a template of a numeric variable) become a duration; attempts are
 * retries + 1 (without `retries`: `variables.max_retries` + 1, else the engine default).
 */
import type { RawNode } from '../schema';
import { ExpressionError, parseExpression } from '../expression';
import type { StepIssue, YamlPath } from './issues';
import type { Variables } from './variables';

/** The step format's progressive backoff (30 s, 60 s, 90 s …) as initial × coefficient, capped. */
export const STEP_RETRY = { initial: '30s', coefficient: 2, max: '90s' } as const;

export interface SettingsContext {
  id: string;
  type: string;
  path: YamlPath;
  variables: Variables;
  sub: (value: unknown, path: YamlPath) => unknown;
  issue: (severity: StepIssue['severity'], code: string, path: YamlPath, message: string, hint: string) => void;
}

export function applySettings(step: Record<string, unknown>, node: RawNode, metadata: Record<string, unknown>, ctx: SettingsContext): void {
  const { id, type, path, variables, sub, issue } = ctx;
  if (step.timeout !== undefined) {
    const t = sub(step.timeout, [...path, 'timeout']);
    const seconds = typeof t === 'number' ? t : typeof t === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(t) ? Number(t) : NaN;
    if (Number.isFinite(seconds) && seconds > 0) node.timeout = `${Math.round(seconds * 1000)}ms`;
    else
      issue(
        'error',
        'step-timeout',
        [...path, 'timeout'],
        `step "${id}": timeout ${JSON.stringify(t)} is not a number of seconds`,
        'write seconds (timeout: 900) or a template of a numeric variable ("{{variables.x}}")',
      );
  }
  const retries = step.retries === undefined ? variables.max_retries : sub(step.retries, [...path, 'retries']);
  if (type !== 'parallel' && retries !== undefined) {
    if (typeof retries === 'number' && Number.isInteger(retries) && retries >= 0) {
      node.max_attempts = retries + 1;
      node.retry = { ...STEP_RETRY };
    } else
      issue(
        'error',
        'step-retries',
        [...path, step.retries === undefined ? 'variables' : 'retries'],
        `step "${id}": retries ${JSON.stringify(retries)} is not a whole number ≥ 0`,
        'write retries: 2 (three attempts)',
      );
  }
  if (step.condition !== undefined) {
    const at = [...path, 'condition'];
    if (typeof step.condition !== 'string')
      issue('error', 'step-condition', at, `step "${id}": condition must be a string`, 'quote the expression');
    else {
      try {
        parseExpression(step.condition);
        // Unknown step or variable names are reported by the definition's checks, located back here.
        node.when = step.condition;
        metadata.condition = step.condition;
        if (Object.keys(variables).length > 0) metadata.variables = { ...variables };
      } catch (err) {
        const msg = err instanceof ExpressionError ? err.message : String(err);
        issue('error', 'step-condition', at, `step "${id}": condition: ${msg}`, 'see the condition language in definitions/README.md');
      }
    }
  }
}
