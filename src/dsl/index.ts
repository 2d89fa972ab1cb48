/**
 * The definition language: load and validate YAML definitions, pick one for a bead, draw it.
 * Workflow code must not import this file (it pulls in node, yaml and zod): import
 * `validateResolved` from './checks' directly.
 */
export { loadDefinitionText, loadDefinitionFile, MAX_DEFINITION_BYTES, type LoadResult } from './load';
export { validateResolved } from './checks';
export { formatFinding, hasErrors, type Finding, type Locator, type Position, type Severity } from './finding';
export { loadCatalog, defaultDefinitionDirs, definitionFiles, PROJECT_DEFINITIONS_DIR, type Catalog } from './catalog';
export { selectDefinition, titleHasKeyword, FALLBACK_TYPE, type BeadFacts, type Selection } from './select';
export { renderGraph, GRAPH_FORMATS, type GraphFormat } from './render';
export { parseDuration, formatDuration } from './duration';
export { subworkflowFindings, pinSubworkflows, MAX_SUBWORKFLOW_DEPTH } from './subworkflows';
export { COMMIT_ROLE } from './conventions';
export { definitionSchema, type RawDefinition } from './schema';
export * from './types';
