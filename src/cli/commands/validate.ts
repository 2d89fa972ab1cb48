import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  defaultDefinitionDirs,
  definitionFiles,
  formatFinding,
  loadCatalog,
  loadDefinitionFile,
  subworkflowFindings,
  type Finding,
} from '../../dsl';
import type { Position } from '../../dsl/finding';
import { matchTies } from '../../dsl/match-ties';
import { detectFormat } from '../../dsl/step-format';
import { parseYaml } from '../../dsl/yaml-source';
import type { ResolvedDefinition } from '../../dsl/types';
import { action } from '../action';

interface ValidateOptions {
  strict?: boolean;
  json?: boolean;
}

interface FileReport {
  file: string;
  id?: string;
  errors: number;
  warnings: number;
}

/** `beadflow validate <file|dir>...`: findings as `<file>:<line>:<col>: error|warning: ...`, exit 1 on errors. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check definition files (or directories of *.yaml / *.yml) and print what is wrong, with line:col')
    .argument('<paths...>', 'definition files or directories')
    .option('--strict', 'also fail (exit 1) on warnings')
    .option('--json', 'print one JSON object: files, findings, counts')
    .action(
      action((paths: string[], options: ValidateOptions) => {
        const findings: Finding[] = [];
        const files: FileReport[] = [];
        const loaded: ResolvedDefinition[] = [];
        for (const file of expand(paths, findings)) {
          const result = loadDefinitionFile(file);
          findings.push(...result.findings);
          files.push({ file, id: result.definition?.id, ...count(result.findings) });
          if (result.definition) loaded.push(result.definition);
        }
        // Files given together are weighed together: two that claim the same beads at one priority are told.
        for (const tie of matchTies(loaded)) {
          findings.push(tie);
          const report = files.find((f) => f.file === tie.file);
          if (report) report.warnings++;
        }
        for (const problem of subworkflowProblems(loaded)) {
          findings.push(problem);
          const report = files.find((f) => f.file === problem.file);
          if (report) report.errors++;
        }
        const totals = count(findings);
        const failed = totals.errors > 0 || (options.strict === true && totals.warnings > 0);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ok: !failed, ...totals, files, findings }, null, 2)}\n`);
        } else {
          for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
          const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
          process.stdout.write(
            `${plural(files.length, 'file')} checked: ${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}\n`,
          );
        }
        if (failed) process.exitCode = 1;
      }),
    );
}

/**
 * Sub-workflow nodes' child definitions: missing ones, cycles and depth. Children are looked up
 * among the files given together, then the catalog a bead would start from (definitions/ and
 * BEADFLOW_DEFINITIONS), read only when some file has a subworkflow node.
 */
function subworkflowProblems(loaded: ResolvedDefinition[]): Finding[] {
  const parents = loaded.filter((d) => d.nodes.some((n) => n.type === 'subworkflow'));
  if (parents.length === 0) return [];
  const given = new Map(loaded.map((d) => [d.id, d]));
  const catalog = loadCatalog(defaultDefinitionDirs()).definitions;
  const lookup = (id: string) => given.get(id) ?? catalog.get(id);
  return parents.flatMap((d) => subworkflowFindings(d, lookup, locateChildRef));
}

/** The child's id in a native file (`nodes[i].subworkflow.definition`); a step-format file's nodes are converted, so unknown. */
function locateChildRef(def: ResolvedDefinition, index: number): Position | undefined {
  if (!def.source) return undefined;
  let text: string;
  try {
    text = readFileSync(def.source, 'utf8');
  } catch {
    return undefined;
  }
  const { source } = parseYaml(text, def.source);
  if (detectFormat(source.doc.toJS()) !== 'native') return undefined;
  return source.locate(['nodes', index, 'subworkflow', 'definition']);
}

/** Files as given; directories become their *.yaml / *.yml files (schema.json is not YAML). */
function expand(paths: string[], findings: Finding[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // not found: loadDefinitionFile reports it as a finding
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const found = definitionFiles(p);
    if (found.length === 0) {
      findings.push({
        file: p,
        line: 0,
        col: 0,
        severity: 'error',
        code: 'no-definitions',
        message: 'no *.yaml or *.yml files in this directory',
        hint: 'pass definition files, or the directory that holds them',
      });
    }
    files.push(...found);
  }
  return files;
}

function count(findings: Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}
