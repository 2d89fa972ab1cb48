/** `GET /api/definitions` (every definition file with its findings), `GET /api/definitions/:id` (its graph), `GET /api/analytics`. */
import path from 'node:path';
import type { Hono } from 'hono';
import { definitionFiles, formatFinding, loadCatalog, loadDefinitionFile, type Finding } from '../dsl';
import type { Analytics } from '../ledger/queries';
import { beadGraph } from './graph';
import { fail } from './http';

export type AnalyticsAnswer =
  { configured: true; where: string; analytics: Analytics } | { configured: false; message: string; hint: string };

export interface CatalogRoutesDeps {
  definitionDirs: string[];
  analytics(): Promise<AnalyticsAnswer>;
}

interface FileEntry {
  file: string;
  dir: string;
  id?: string;
  name?: string;
  workflowType?: string;
  isDefault?: boolean;
  nodes?: number;
  edges?: number;
  errors: number;
  warnings: number;
  findings: Array<Finding & { text: string }>;
}

export function definitionReport(dirs: string[]): { dirs: Array<{ dir: string; problem?: string }>; files: FileEntry[] } {
  const files: FileEntry[] = [];
  const dirReports: Array<{ dir: string; problem?: string }> = [];
  for (const dir of dirs) {
    let found: string[];
    try {
      found = definitionFiles(dir);
      dirReports.push({ dir });
    } catch (err) {
      dirReports.push({ dir, problem: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message });
      continue;
    }
    for (const file of found) {
      const { definition: d, findings } = loadDefinitionFile(file);
      const errors = findings.filter((f) => f.severity === 'error').length;
      files.push({
        file: path.relative(process.cwd(), file) || file,
        dir,
        id: d?.id,
        name: d?.name,
        workflowType: d?.workflowType,
        isDefault: d?.isDefault,
        nodes: d?.nodes.length,
        edges: d?.edges.length,
        errors,
        warnings: findings.length - errors,
        findings: findings.map((f) => ({ ...f, text: formatFinding(f) })),
      });
    }
  }
  return { dirs: dirReports, files };
}

export function registerCatalogRoutes(app: Hono, deps: CatalogRoutesDeps): void {
  app.get('/api/definitions', (c) => c.json(definitionReport(deps.definitionDirs)));

  app.get('/api/definitions/:id', (c) => {
    const id = c.req.param('id');
    const def = loadCatalog(deps.definitionDirs).definitions.get(id);
    if (!def) return fail(c, 404, `no valid definition with id ${id}`, 'see /api/definitions for the ids and their findings');
    return c.json({ definition: def, graph: beadGraph(def, [], []) });
  });

  app.get('/api/analytics', async (c) => c.json(await deps.analytics()));
}
