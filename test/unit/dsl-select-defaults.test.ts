/**
 * Selection as the predecessor's users expect: its type-detection words pick the same default
 * definitions (as whole words), and another project's files never take the defaults' beads
 * without a warning naming both files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCatalog, selectDefinition } from '../../src/dsl';
import { matchTies } from '../../src/dsl/match-ties';
import { A_TO_END, DEFAULTS_DIR, LOOM_DIR, ROOT, definition, task } from './dsl-fixtures';

const defaults = loadCatalog([DEFAULTS_DIR]);
const pick = (bead: { labels?: string[]; title?: string }) => selectDefinition(defaults, bead)?.definition.id;

describe("the predecessor's type detection, as default match_criteria", () => {
  const byLabel: Array<[string, string]> = [
    ['feature', 'feature'],
    ['enhancement', 'feature'],
    ['ui', 'ui'],
    ['design', 'ui'],
    ['css', 'ui'],
    ['html', 'ui'],
    ['code-review', 'self-improvement'],
    ['maintainability', 'self-improvement'],
    ['optimization', 'self-improvement'],
    ['refactoring', 'self-improvement'],
    ['observability', 'self-improvement'],
  ];
  for (const [label, id] of byLabel) test(`label ${label} → ${id}`, () => assert.equal(pick({ labels: [label.toUpperCase()] }), id));

  test('title words pick the same definitions', () => {
    assert.equal(pick({ title: 'Feature: export to CSV' }), 'feature');
    assert.equal(pick({ title: 'Small enhancements to the CLI' }), 'feature');
    assert.equal(pick({ title: 'Fix the HTML of the login form' }), 'ui');
    assert.equal(pick({ title: 'New design for settings' }), 'ui');
    assert.equal(pick({ title: 'CSS of the header' }), 'ui');
    assert.equal(pick({ title: '[Code Review] the loader' }), 'self-improvement');
    assert.equal(pick({ title: 'Improve maintainability of the parser' }), 'self-improvement');
    assert.equal(pick({ title: '[Optimization] query planner' }), 'self-improvement');
    assert.equal(pick({ title: 'Follow best practices in the API' }), 'self-improvement');
  });

  test('still whole words: substrings the predecessor matched do not', () => {
    assert.equal(pick({ title: 'Redesign crashes' }), 'bug');
    assert.equal(pick({ title: 'htmlparser error' }), 'bug');
    assert.equal(pick({ title: 'Featured items are slow' }), 'bug');
    assert.equal(pick({ title: 'Deoptimization in the hot loop' }), 'bug');
  });
});

describe("another project's files", () => {
  let dir: string;
  const withMatch = (id: string, match: string) =>
    definition(task('a'), A_TO_END, `match_criteria:\n${match}`).replace('id: t', `id: ${id}`);
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-other-'));
    writeFileSync(path.join(dir, 'theirs.yaml'), withMatch('their-feature', '  labels: [feature]\n  priority: 100\n'));
    writeFileSync(path.join(dir, 'lower.yaml'), withMatch('their-ui', '  labels: [css]\n  priority: 10\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a tie takes the later file, with a warning naming both files', () => {
    const catalog = loadCatalog([DEFAULTS_DIR, dir]);
    const s = selectDefinition(catalog, { labels: ['feature'] });
    assert.equal(s?.definition.id, 'their-feature');
    assert.match(s?.warning ?? '', /label "feature" also matches feature \(.*definitions\/feature\.yaml\) at the same match priority 100/);
    assert.match(s?.warning ?? '', /took their-feature \(.*theirs\.yaml\)/);
    const tie = catalog.findings.find((f) => f.code === 'match-tie');
    assert.equal(tie?.file, path.join(dir, 'theirs.yaml'));
    assert.match(tie!.message, /their-feature and feature \(.*feature\.yaml\) both match label "feature" at match priority 100/);
  });

  test('a lower priority never outranks a default; no tie, no warning', () => {
    const catalog = loadCatalog([DEFAULTS_DIR, dir]);
    const s = selectDefinition(catalog, { labels: ['css'] });
    assert.equal(s?.definition.id, 'ui');
    assert.equal(s?.warning, undefined);
  });

  test("Loom's self-improvement ties with the default on its labels: warned, both files named", () => {
    const catalog = loadCatalog([DEFAULTS_DIR, LOOM_DIR]);
    const s = selectDefinition(catalog, { labels: ['code-review'] });
    assert.equal(s?.definition.id, 'wf-self-improvement');
    assert.match(s?.warning ?? '', /self-improvement \(.*definitions\/self-improvement\.yaml\)/);
    assert.match(s?.warning ?? '', /wf-self-improvement \(.*loom\/self-improvement\.yaml\)/);
  });

  test('validate weighs files given together: a tie is a match-tie warning at the later file', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/beadflow.js'), 'validate', DEFAULTS_DIR, LOOM_DIR], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /loom\/self-improvement\.yaml:1:1: warning: wf-self-improvement and self-improvement \(.*definitions\/self-improvement\.yaml\) both match label "self-improvement", .* and \d+ more at match priority 200; wf-self-improvement, loaded later, takes those beads/,
    );
  });

  test('the defaults alone tie nowhere', () => {
    assert.deepEqual(matchTies([...defaults.definitions.values()]), []);
  });
});
