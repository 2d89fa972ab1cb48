/** The default definitions pick up the type-detection words users of the step-format system expect. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog, selectDefinition } from '../../src/dsl';
import { DEFAULTS_DIR } from './dsl-fixtures';

describe('default match_criteria', () => {
  const catalog = loadCatalog([DEFAULTS_DIR]);
  const pick = (bead: { title?: string; labels?: string[] }) => selectDefinition(catalog, bead)?.definition.id;
  test('titles', () => {
    assert.equal(pick({ title: 'Enhancement: export as CSV' }), 'feature');
    assert.equal(pick({ title: 'Rework the HTML of the settings page' }), 'ui');
    assert.equal(pick({ title: 'Design pass on the header' }), 'ui');
    assert.equal(pick({ title: 'Code review of the parser' }), 'self-improvement');
    assert.equal(pick({ title: 'Maintainability of the loader' }), 'self-improvement');
    assert.equal(pick({ title: 'Optimization of the query planner' }), 'self-improvement');
  });
  test('labels', () => {
    assert.equal(pick({ labels: ['enhancement'] }), 'feature');
    assert.equal(pick({ labels: ['html'] }), 'ui');
    assert.equal(pick({ labels: ['code-review'] }), 'self-improvement');
    assert.equal(pick({ labels: ['optimization'] }), 'self-improvement');
  });
  test('still whole words', () => {
    assert.notEqual(pick({ title: 'Redesigned nothing, htmlish optimizations' }), 'ui');
  });
});
