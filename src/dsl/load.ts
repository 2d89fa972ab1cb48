/**
 * Loading one definition: size guard → YAML (with positions) → schema → resolve → checks.
 * Never throws on bad input: every problem becomes a located finding, and a definition is
 * returned only when there is no error.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { sameRole } from '../shared/roles';
import { validateResolved } from './checks';
import { COMMIT_ROLE } from './conventions';
import { hasErrors, sortFindings, type Finding } from './finding';
import { misplacedKeyFindings, unknownKeyFindings } from './ignored-keys';
import { resolveDefinition } from './resolve';
import { definitionSchema, type RawDefinition } from './schema';
import { describeValue, issueToFinding } from './schema-issues';
import { detectFormat, neitherFormatFinding, stepTypeFindings } from './step-format';
import { convertSteps, stepLocator } from './steps';
import type { ResolvedDefinition } from './types';
import { parseYaml, type YamlSource } from './yaml-source';

/** Definitions are a few KiB; anything near this is the wrong file, or an attack on the parser. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

export interface LoadResult {
  /** Present only when there are no errors. */
  definition?: ResolvedDefinition;
  findings: Finding[];
}

export function loadDefinitionText(text: string, file = '<text>'): LoadResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_DEFINITION_BYTES) return tooLarge(file, size);

  const { source, findings } = parseYaml(text, file);
  const fail = (code: string, message: string, hint: string, at = { line: 1, col: 1 }): LoadResult => ({
    findings: sortFindings([...findings, { file, ...at, severity: 'error', code, message, hint }]),
  });
  if (hasErrors(findings)) return { findings: sortFindings(findings) };

  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return fail(
      'empty-file',
      'the file holds no definition (it is empty or only comments)',
      'start from definitions/bug.yaml; the format is in definitions/README.md',
    );
  }
  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail(
      'yaml-syntax',
      `YAML: ${err instanceof Error ? err.message : String(err)}`,
      'simplify the anchors and aliases (&name / *name) in this file',
    );
  }
  if (!isMap(contents)) {
    return fail(
      'not-a-mapping',
      `a definition must be a mapping of keys (id:, nodes:, edges: ...), not ${describeValue(raw)}`,
      'start the file with `id: <name>`; see definitions/README.md',
      source.locate([]),
    );
  }

  const format = detectFormat(raw);
  if (format === 'unknown') return { findings: sortFindings([...findings, neitherFormatFinding(file)]) };
  let locate = source.locate;
  const native = format === 'native';
  if (format === 'steps') {
    // Steps become the native raw shape; the same schema, resolve and checks follow, located in the step file.
    const doc = raw as Record<string, unknown>;
    const typeErrors = stepTypeFindings(doc, source, file);
    if (typeErrors.length > 0) return { findings: sortFindings([...findings, ...typeErrors]) };
    const converted = convertSteps(doc, basename(file).replace(/\.ya?ml$/i, ''));
    for (const { path: at, ...issue } of converted.issues) findings.push({ file, ...(source.locate(at) ?? { line: 1, col: 1 }), ...issue });
    if (hasErrors(findings)) return { findings: sortFindings(findings) };
    raw = converted.raw;
    locate = stepLocator(converted, source.locate);
  }

  if (native) findings.push(...unknownKeyFindings(source, definitionSchema, raw, file));
  const parsed = definitionSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    findings.push(...parsed.error.issues.map((issue) => issueToFinding(issue, raw, file, locate)));
    return { findings: sortFindings(findings) };
  }

  const definition = resolveDefinition(parsed.data, file);
  if (native) findings.push(...misplacedKeyFindings(source, parsed.data, file));
  if (native) findings.push(...commitRoleFindings(parsed.data, source, file));
  // Commit roles are already forced in the resolved model; the raw check above said so once.
  findings.push(...validateResolved(definition, locate).filter((f) => f.code !== 'commit-role'));
  sortFindings(findings);
  return hasErrors(findings) ? { findings } : { definition, findings };
}

export function loadDefinitionFile(path: string): LoadResult {
  const problem = (code: string, message: string, hint: string): LoadResult => ({
    findings: [{ file: path, line: 0, col: 0, severity: 'error', code, message, hint }],
  });
  try {
    const stat = statSync(path);
    if (stat.isDirectory())
      return problem(
        'read-error',
        'is a directory, not a definition file',
        'pass a .yaml file (`beadflow validate` also takes directories)',
      );
    if (stat.size > MAX_DEFINITION_BYTES) return tooLarge(path, stat.size);
    return loadDefinitionText(readFileSync(path, 'utf8'), path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return problem('not-found', 'no such file', 'check the path (relative paths start from the current directory)');
    return problem('read-error', `cannot read the file (${code ?? (err as Error).message})`, 'check that the file exists and is readable');
  }
}

function tooLarge(file: string, bytes: number): LoadResult {
  const size = `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return {
    findings: [
      {
        file,
        line: 1,
        col: 1,
        severity: 'error',
        code: 'too-large',
        message: `the file is ${size}; definitions are limited to 1 MiB`,
        hint: 'a definition is a few KiB of YAML: check that this is the right file',
      },
    ],
  };
}

function commitRoleFindings(raw: RawDefinition, source: YamlSource, file: string): Finding[] {
  return raw.nodes.flatMap((node, i): Finding[] => {
    const role = node.role_required;
    if (node.node_type !== 'commit' || role === undefined || sameRole(role, COMMIT_ROLE)) return [];
    const at = source.locate(['nodes', i, 'role_required']) ?? { line: 1, col: 1 };
    return [
      {
        file,
        ...at,
        severity: 'warning',
        code: 'commit-role',
        message: `commit node "${node.node_key}" has role "${role}"; it will run as ${COMMIT_ROLE}`,
        hint: `commits always run as ${COMMIT_ROLE}: set role_required to it, or leave it out`,
      },
    ];
  });
}
