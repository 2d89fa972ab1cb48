import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalRole, isKnownRole, roleSlug, roleTaskQueue, sameRole } from '../../src/shared/roles';

describe('roleSlug', () => {
  for (const spelling of ['QA', 'qa-engineer', 'QA Engineer', 'default/qa-engineer', ' qa_engineer ', 'tester']) {
    test(`"${spelling}" → qa-engineer`, () => assert.equal(roleSlug(spelling), 'qa-engineer'));
  }

  test('other roles and aliases', () => {
    assert.equal(roleSlug('Product Manager'), 'product-manager');
    assert.equal(roleSlug('PM'), 'product-manager');
    assert.equal(roleSlug('CEO'), 'ceo');
    assert.equal(roleSlug('SRE'), 'devops-engineer');
    assert.equal(roleSlug('default/web-designer'), 'web-designer');
  });

  test('unknown roles keep a clean slug', () => {
    assert.equal(roleSlug('Data Scientist!'), 'data-scientist');
    assert.equal(isKnownRole('Data Scientist'), false);
  });
});

describe('canonical names and queues', () => {
  test('canonicalRole maps any spelling to the display name', () => {
    assert.equal(canonicalRole('qa'), 'QA Engineer');
    assert.equal(canonicalRole('default/qa-engineer'), 'QA Engineer');
    assert.equal(canonicalRole('nobody'), undefined);
  });

  test('roleTaskQueue uses the slug', () => {
    assert.equal(roleTaskQueue('QA'), 'beadflow-role-qa-engineer');
    assert.equal(roleTaskQueue('QA Engineer', 'test-x-'), 'test-x-qa-engineer');
  });

  test('sameRole ignores spelling', () => {
    assert.ok(sameRole('QA', 'QA Engineer'));
    assert.ok(!sameRole('QA', 'Product Manager'));
  });
});

describe('role inference for the names real definitions use', () => {
  test('backend/frontend engineers are software engineers; quality assurance is QA; trailing slashes do not matter', () => {
    assert.equal(canonicalRole('Backend Engineer'), 'Software Engineer');
    assert.equal(canonicalRole('Frontend Engineer'), 'Software Engineer');
    assert.equal(canonicalRole('frontend_developer'), 'Software Engineer');
    assert.equal(canonicalRole('Quality Assurance'), 'QA Engineer');
    assert.equal(canonicalRole('quality-assurance'), 'QA Engineer');
    assert.equal(roleSlug('qa-engineer/'), 'qa-engineer');
    assert.equal(roleSlug('default/qa-engineer//'), 'qa-engineer');
    assert.equal(roleTaskQueue('Backend Engineer'), 'beadflow-role-software-engineer');
  });
});
