/**
 * A finding: one problem in a definition, located in its file. Pure (no node, yaml or zod
 * imports) because workflow code runs the same graph checks at its entry.
 */
export type Severity = 'error' | 'warning';

export interface Position {
  /** 1-based; 0 when unknown (a resolved definition checked without its source). */
  line: number;
  col: number;
}

export interface Finding extends Position {
  file: string;
  severity: Severity;
  /** Stable, kebab-case, e.g. "unknown-node"; scripts may match on it. */
  code: string;
  /** What is wrong and where (which node or edge). */
  message: string;
  /** What to do about it. */
  hint: string;
}

/**
 * Maps a path in the raw YAML (e.g. ["nodes", 2, "max_attempts"]) to a position. The resolved
 * model keeps the raw order of nodes and edges, so index i of `def.nodes` is `["nodes", i]`.
 */
export type Locator = (path: ReadonlyArray<string | number>) => Position | undefined;

export const UNKNOWN_POSITION: Position = { line: 0, col: 0 };

/** `<file>:<line>:<col>: error: <message>` and the hint on the next line, indented. */
export function formatFinding(f: Finding): string {
  const where = f.line > 0 ? `${f.file}:${f.line}:${f.col}` : f.file;
  const head = `${where}: ${f.severity}: ${f.message}`;
  return f.hint ? `${head}\n  hint: ${f.hint}` : head;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** One file's findings in reading order, errors before warnings at the same spot. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.line - b.line || a.col - b.col || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
