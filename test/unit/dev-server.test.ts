import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BEAD_SEARCH_ATTRIBUTE_NAMES, BEAD_SEARCH_ATTRIBUTES, searchAttributeCliArgs } from '../../src/shared/search-attributes';
import { defaultDbFile, planDevServer } from '../../src/temporal/dev-server';
import { testServerExtraArgs } from '../helpers/temporal';

/** The value after each occurrence of `flag`. */
function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

test('default plan: persisted in .beadflow with fast pragmas, UI on 8233, our search attributes', () => {
  const plan = planDevServer({ dbFile: '/tmp/x/temporal.db' });
  assert.deepEqual(plan.args.slice(0, 2), ['server', 'start-dev']);
  assert.deepEqual(flagValues(plan.args, '--port'), ['7233']);
  assert.deepEqual(flagValues(plan.args, '--ui-port'), ['8233']);
  assert.deepEqual(flagValues(plan.args, '--namespace'), ['default']);
  assert.deepEqual(flagValues(plan.args, '--log-level'), ['warn']);
  assert.deepEqual(flagValues(plan.args, '--db-filename'), ['/tmp/x/temporal.db']);
  assert.deepEqual(flagValues(plan.args, '--sqlite-pragma'), ['journal_mode=WAL', 'synchronous=OFF']);
  assert.deepEqual(flagValues(plan.args, '--search-attribute'), [
    'BeadId=Keyword',
    'BeadType=Keyword',
    'BeadStatus=Keyword',
    'CurrentNode=Keyword',
    'RequiredRole=Keyword',
  ]);
  assert.equal(plan.address, 'localhost:7233');
  assert.equal(plan.uiUrl, 'http://localhost:8233');
});

test('the default database is <project>/.beadflow/temporal.db', () => {
  assert.equal(defaultDbFile('/p'), path.join('/p', '.beadflow', 'temporal.db'));
  assert.equal(planDevServer().dbFile, defaultDbFile());
});

test('in memory, other ports, headless', () => {
  const plan = planDevServer({ inMemory: true, port: 7300, ui: false });
  assert.equal(plan.dbFile, undefined);
  assert.ok(!plan.args.includes('--db-filename') && !plan.args.includes('--sqlite-pragma'));
  assert.ok(plan.args.includes('--headless'));
  assert.equal(plan.uiUrl, undefined);
  assert.deepEqual(flagValues(planDevServer({ inMemory: true, port: 7300 }).args, '--ui-port'), ['8300']);
  assert.throws(() => planDevServer({ inMemory: true, dbFile: 'x.db' }), /either/);
});

test('search attribute keys are typed Keyword keys with the documented names', () => {
  assert.deepEqual(BEAD_SEARCH_ATTRIBUTE_NAMES, ['BeadId', 'BeadType', 'BeadStatus', 'CurrentNode', 'RequiredRole']);
  assert.ok(BEAD_SEARCH_ATTRIBUTES.every((k) => k.type === 'KEYWORD'));
  assert.deepEqual(searchAttributeCliArgs([BEAD_SEARCH_ATTRIBUTES[0]]), ['--search-attribute', 'BeadId=Keyword']);
});

test('the plan raises the per-shard task-queue read rates (default 20/s costs ~45 ms per hop); extraArgs can override them', () => {
  const values = flagValues(planDevServer({ inMemory: true }).args, '--dynamic-config-value');
  assert.ok(values.includes('history.transferProcessorMaxPollRPS=1000'), values.join(' '));
  const args = planDevServer({ inMemory: true, extraArgs: ['--dynamic-config-value', 'history.transferProcessorMaxPollRPS=20'] }).args;
  // The CLI takes the last value of a repeated key, so the override must come after ours.
  assert.deepEqual(
    flagValues(args, '--dynamic-config-value').filter((v) => v.startsWith('history.transferProcessorMaxPollRPS=')),
    ['history.transferProcessorMaxPollRPS=1000', 'history.transferProcessorMaxPollRPS=20'],
  );
});

test("integration tests' dev server gets the same dynamic config as beadflow server, a test's own flags after it", () => {
  const server = flagValues(planDevServer({ inMemory: true }).args, '--dynamic-config-value');
  const tests = testServerExtraArgs(['--dynamic-config-value', 'history.transferProcessorMaxPollRPS=20']);
  const values = flagValues(tests, '--dynamic-config-value');
  assert.deepEqual(values.slice(0, server.length), server);
  assert.ok(server.length > 0);
  assert.equal(values.at(-1), 'history.transferProcessorMaxPollRPS=20', 'the last value of a key wins: a test can override');
});
