/** The test harness itself: a dev server from the resolved binary, namespace up, search attributes registered. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { BEAD_SEARCH_ATTRIBUTE_NAMES } from '../../src/shared/search-attributes';
import { startTestEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;

before(async () => {
  env = await startTestEnv();
});

after(async () => {
  await env?.teardown();
});

test('the namespace is reachable', async () => {
  const ns = await env.connection.workflowService.describeNamespace({ namespace: 'default' });
  assert.equal(ns.namespaceInfo?.name, 'default');
});

test('the bead search attributes are registered as Keyword', async () => {
  const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  const keyword = encodeSearchAttributeIndexedValueType(SearchAttributeType.KEYWORD);
  for (const name of BEAD_SEARCH_ATTRIBUTE_NAMES) {
    assert.equal(customAttributes?.[name], keyword, `${name} should be a Keyword search attribute`);
  }
});

test('visibility accepts queries on our attributes', async () => {
  const { count } = await env.client.workflow.count(`BeadId = "${uniqueId('bead')}" AND BeadStatus = "running"`);
  assert.equal(count, 0);
});
