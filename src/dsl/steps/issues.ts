/** A problem found while converting steps, located by its path in the step-format YAML. */
import type { Severity } from '../finding';

export type YamlPath = ReadonlyArray<string | number>;

export interface StepIssue {
  severity: Severity;
  code: string;
  path: YamlPath;
  message: string;
  hint: string;
}
