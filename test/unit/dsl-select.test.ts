/** Picking a definition for a bead, and the catalog that user directories override. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  defaultDefinitionDirs,
  loadCatalog,
  PROJECT_DEFINITIONS_DIR,
  selectDefinition,
  titleHasKeyword,
  type Catalog,
} from '../../src/dsl';
import { A_TO_END, DEFAULT_IDS, DEFAULTS_DIR, definition, LOOM_DIR, task } from './dsl-fixtures';

const withMatch = (id: string, match: string, extra = '') =>
  definition(task('a'), A_TO_END, `${extra}match_criteria:\n${match}`).replace('id: t', `id: ${id}`);

describe('title keywords: whole words and phrases, case-insensitive', () => {
  test('"build" matches the word, not rebuild or building', () => {
    assert.equal(titleHasKeyword('Fix the build', 'build'), true);
    assert.equal(titleHasKeyword('BUILD: broken on main', 'build'), true);
    assert.equal(titleHasKeyword('Rebuild the search index', 'build'), false);
    assert.equal(titleHasKeyword('Building docs is slow', 'build'), false);
    assert.equal(titleHasKeyword('build_cache grows', 'build'), false);
  });
  test('phrases match across any whitespace; brackets match literally', () => {
    assert.equal(titleHasKeyword('Follow best  practices in api', 'best practices'), true);
    assert.equal(titleHasKeyword('best-practices doc', 'best practices'), false);
    assert.equal(titleHasKeyword('[Refactor] split the loader', '[Refactor]'), true);
    assert.equal(titleHasKeyword('x[refactor]y', '[Refactor]'), true);
    assert.equal(titleHasKeyword('Refactor the loader', '[Refactor]'), false);
    assert.equal(titleHasKeyword('C++ build', 'c++'), true);
  });
});

describe('selectDefinition over the default catalog', () => {
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog([DEFAULTS_DIR]);
  });

  test('the defaults load with no findings', () => {
    assert.deepEqual(catalog.findings, []);
    assert.deepEqual([...catalog.definitions.keys()].sort(), [...DEFAULT_IDS].sort());
  });

  test('explicit type (workflow_type or id) wins over everything', () => {
    assert.equal(selectDefinition(catalog, { type: 'ui', labels: ['hotfix'], title: 'crash' })?.definition.id, 'ui');
    assert.equal(selectDefinition(catalog, { type: 'nope', title: 'crash' }), undefined);
  });

  test('labels before title keywords; the highest priority wins', () => {
    const s = selectDefinition(catalog, { labels: ['Feature'], title: 'Button crashes' });
    assert.deepEqual([s?.definition.id, s?.by, s?.reason], ['feature', 'label', 'label "feature"']);
    assert.equal(selectDefinition(catalog, { labels: ['bug', 'outage'] })?.definition.id, 'hotfix');
  });

  test('title keywords, highest priority first', () => {
    assert.equal(selectDefinition(catalog, { title: 'Checkout button misaligned' })?.definition.id, 'ui');
    assert.equal(selectDefinition(catalog, { title: 'Button crashes the app' })?.definition.id, 'ui');
    assert.equal(selectDefinition(catalog, { title: 'App crashes on start' })?.definition.id, 'bug');
    assert.equal(selectDefinition(catalog, { title: '[Refactor] split the loader' })?.definition.id, 'self-improvement');
    assert.equal(selectDefinition(catalog, { title: 'Outage: payments down' })?.definition.id, 'hotfix');
  });

  test('nothing matches: the bug definition', () => {
    const s = selectDefinition(catalog, { labels: [], title: 'Something odd happened' });
    assert.deepEqual([s?.definition.id, s?.by], ['bug', 'fallback']);
  });
});

describe('catalog directories', () => {
  let userDir: string;
  before(() => {
    userDir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-defs-'));
    // Reuses the id "ui" to replace the default, and adds Loom's mistake: the keyword "build".
    writeFileSync(path.join(userDir, 'my-ui.yaml'), withMatch('ui', '  title_keywords: [build, css]\n  priority: 150\n'));
    writeFileSync(path.join(userDir, 'broken.yml'), 'id: [\n');
    writeFileSync(path.join(userDir, 'notes.txt'), 'not a definition');
  });
  after(() => rmSync(userDir, { recursive: true, force: true }));

  test('a later directory overrides a definition with the same id', () => {
    const catalog = loadCatalog([DEFAULTS_DIR, userDir]);
    assert.equal(catalog.definitions.size, DEFAULT_IDS.length);
    assert.equal(catalog.definitions.get('ui')?.source, path.join(userDir, 'my-ui.yaml'));
    assert.deepEqual(
      catalog.findings.map((f) => [path.basename(f.file), f.code]),
      [['broken.yml', 'yaml-syntax']],
    );
  });

  test('Loom\'s "build" case: rebuild/building do not match, "the build" does', () => {
    const catalog = loadCatalog([DEFAULTS_DIR, userDir]);
    assert.equal(selectDefinition(catalog, { title: 'Rebuild the search index' })?.definition.id, 'bug');
    assert.equal(selectDefinition(catalog, { title: 'Building docs is slow' })?.definition.id, 'bug');
    assert.equal(selectDefinition(catalog, { title: 'Fix the build' })?.definition.id, 'ui');
  });

  test("Loom's files load as a catalog too (their own ids)", () => {
    const catalog = loadCatalog([DEFAULTS_DIR, LOOM_DIR]);
    assert.equal(catalog.definitions.size, DEFAULT_IDS.length + 4);
    assert.ok(catalog.findings.every((f) => f.severity === 'warning'));
    // An explicit type prefers the exact id, so the project's "bug" wins over wf-bug-default.
    assert.equal(selectDefinition(catalog, { type: 'bug' })?.definition.id, 'bug');
    assert.equal(selectDefinition(catalog, { type: 'wf-bug-default' })?.definition.id, 'wf-bug-default');
  });

  test('a missing directory is a warning, not a crash', () => {
    const catalog = loadCatalog([path.join(userDir, 'nope')]);
    assert.deepEqual(
      catalog.findings.map((f) => f.code),
      ['missing-dir'],
    );
  });

  test('default directories: project, then BEADFLOW_DEFINITIONS, then --definitions', () => {
    const env = { BEADFLOW_DEFINITIONS: ['/a', '/b'].join(path.delimiter) };
    assert.deepEqual(defaultDefinitionDirs('/c', env), [PROJECT_DEFINITIONS_DIR, '/a', '/b', '/c']);
    assert.deepEqual(defaultDefinitionDirs(undefined, {}), [PROJECT_DEFINITIONS_DIR]);
    assert.equal(PROJECT_DEFINITIONS_DIR, DEFAULTS_DIR);
  });
});
