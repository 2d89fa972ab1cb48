/**
 * Recognising the step format (a top-level `steps:` list, no `nodes:`) and the file that is
 * neither format. A step-format file converts to nodes and edges (src/dsl/steps/); a step whose
 * type the engine cannot run is one located error naming it and the known types.
 */
import type { Finding } from './finding';
import type { YamlSource } from './yaml-source';

export type DefinitionFormat = 'native' | 'steps' | 'unknown';

/**
 * Step types of the step format that the converter maps (status steps become no node: src/dsl/steps/status.ts).
 * `SubWorkflowStep` is the predecessor's class name for `sub-workflow`, which its class-based files used as the type.
 */
export const KNOWN_STEP_TYPES = [
  'persona-request',
  'parallel',
  'git-operation',
  'sub-workflow',
  'SubWorkflowStep',
  'status-update',
  'dashboard-update',
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function detectFormat(raw: unknown): DefinitionFormat {
  if (!isRecord(raw)) return 'unknown';
  if ('nodes' in raw || 'edges' in raw) return 'native';
  if (Array.isArray(raw.steps)) return 'steps';
  return 'id' in raw ? 'native' : 'unknown';
}

export function neitherFormatFinding(file: string): Finding {
  return {
    file,
    line: 1,
    col: 1,
    severity: 'error',
    code: 'unknown-format',
    message: 'this file is neither a beadflow definition (id:, nodes:, edges:) nor a step-format workflow (a steps: list)',
    hint: 'both formats are described in definitions/README.md; start from definitions/bug.yaml',
  };
}

/** One finding per step (or sub-step) whose type the engine cannot run; none for known types. */
export function stepTypeFindings(raw: Record<string, unknown>, source: YamlSource, file: string): Finding[] {
  const findings: Finding[] = [];
  const visit = (steps: unknown, path: (string | number)[]) => {
    if (!Array.isArray(steps)) return;
    steps.forEach((step, i) => {
      if (!isRecord(step)) return;
      const type = step.type;
      const at = source.locate([...path, i, 'type']) ?? { line: 1, col: 1 };
      if (typeof type !== 'string' || !(KNOWN_STEP_TYPES as readonly string[]).includes(type)) {
        const id = typeof step.id === 'string' ? step.id : `#${i + 1}`;
        findings.push({
          file,
          ...at,
          severity: 'error',
          code: 'step-type',
          message: `step "${id}" has type ${typeof type === 'string' ? `"${type}"` : '(none)'}, which the engine cannot run`,
          hint: `known step types: ${KNOWN_STEP_TYPES.join(', ')}`,
        });
      }
      visit(step.steps, [...path, i, 'steps']);
    });
  };
  visit(raw.steps, ['steps']);
  return findings;
}
