/**
 * The catalog: every valid definition found in a list of directories, by id. Directories load
 * in order and a later one replaces an earlier definition with the same id, so users override
 * a default by reusing its id. Files with errors are left out (their findings say why).
 */
import { subworkflowFindings } from './subworkflows';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './finding';
import { loadDefinitionFile } from './load';
import { matchTies } from './match-ties';
import type { ResolvedDefinition } from './types';

export interface Catalog {
  /** By id, in load order (an override moves to the end, as the latest loaded). */
  definitions: Map<string, ResolvedDefinition>;
  findings: Finding[];
}

/** definitions/ of this project: the defaults. */
export const PROJECT_DEFINITIONS_DIR = path.resolve(__dirname, '../../definitions');

/**
 * The defaults, then each directory of BEADFLOW_DEFINITIONS (path-delimiter separated), then
 * the `--definitions DIR` option: later ones override earlier ones.
 */
export function defaultDefinitionDirs(option?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.BEADFLOW_DEFINITIONS ?? '').split(path.delimiter).filter(Boolean);
  return [PROJECT_DEFINITIONS_DIR, ...fromEnv, ...(option ? [option] : [])];
}

/** *.yaml and *.yml directly in `dir`, sorted by name. */
export function definitionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
}

export function loadCatalog(dirs: readonly string[]): Catalog {
  const definitions = new Map<string, ResolvedDefinition>();
  const findings: Finding[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = definitionFiles(dir);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : `cannot read it (${(err as Error).message})`;
      findings.push({
        file: dir,
        line: 0,
        col: 0,
        severity: 'warning',
        code: 'missing-dir',
        message: `definitions directory: ${reason}`,
        hint: 'check BEADFLOW_DEFINITIONS or --definitions',
      });
      continue;
    }
    const idsHere = new Map<string, string>();
    for (const file of files) {
      const { definition, findings: found } = loadDefinitionFile(file);
      findings.push(...found);
      if (!definition) continue;
      const twin = idsHere.get(definition.id);
      if (twin) {
        findings.push({
          file,
          line: 1,
          col: 1,
          severity: 'warning',
          code: 'duplicate-id',
          message: `id "${definition.id}" is also used by ${twin} in the same directory; this file wins`,
          hint: 'give each definition its own id (a user directory may reuse an id to override a default)',
        });
      }
      idsHere.set(definition.id, file);
      definitions.delete(definition.id);
      definitions.set(definition.id, definition);
    }
  }
  findings.push(...matchTies([...definitions.values()]));
  // Sub-workflows span files: a missing child, a cycle or too deep a nesting is only visible here.
  for (const def of definitions.values()) findings.push(...subworkflowFindings(def, (id) => definitions.get(id)));
  return { definitions, findings };
}
