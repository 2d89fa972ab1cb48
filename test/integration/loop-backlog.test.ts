/**
 * The backlog loop on a real Temporal dev server and a real PostgreSQL ledger, with scripted
 * agents: an agent's follow-up runs in the next iteration, a dependent bead waits for its
 * dependency, --max-iterations stops the loop with work left, and a run terminated under the
 * loop stops it as a critical failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { createLedgerActivities } from '../../src/activities/ledger';
import type { LoopOptions } from '../../src/client/loop';
import { runBacklogLoop } from '../../src/client/loop';
import { getBead, insertBead } from '../../src/ledger/beads';
import { createPool } from '../../src/ledger/connect';
import { migrate } from '../../src/ledger/migrate';
import { KNOWN_ROLES } from '../../src/shared/roles';
import { WorkerSet } from '../../src/workers/worker-set';
import type { TestPostgres } from '../helpers/postgres';
import { startTestPostgres } from '../helpers/postgres';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';

const oneTask = (id: string, node: string) => `id: ${id}
workflow_type: ${id}
nodes:
  - { node_key: ${node}, node_type: task, role_required: Software Engineer, max_attempts: 1 }
edges:
  - { from_node_key: "", to_node_key: ${node} }
  - { from_node_key: ${node}, to_node_key: "" }
  - { from_node_key: ${node}, to_node_key: "", condition: failure }
`;

// `build` (definition loopwork) files one good follow-up of type tidy and one broken one.
const SCENARIO = {
  build: ['success {"follow_ups": [{"title": "Tidy after the build", "type": "tidy", "priority": "P0"}, {"nope": true}]}'],
  wait_here: ['sleep:30s'],
};

let env: TestWorkflowEnvironment;
let pg: TestPostgres;
let pool: Pool;
let workers: WorkerSet;
let running: Promise<void>;
let defsDir: string;
const taskQueue = uniqueId('loop-wf');
const id = (name: string) => `${name}-${taskQueue}`;

before(async () => {
  [env, pg] = await Promise.all([startTestEnv(), startTestPostgres()]);
  pool = createPool(await pg.createDatabase());
  await migrate(pool);
  defsDir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-loop-defs-'));
  writeFileSync(path.join(defsDir, 'loopwork.yaml'), oneTask('loopwork', 'build'));
  writeFileSync(path.join(defsDir, 'tidy.yaml'), oneTask('tidy', 'tidy_up'));
  writeFileSync(path.join(defsDir, 'slow.yaml'), oneTask('slow', 'wait_here'));
  workers = await WorkerSet.create({
    connection: env.nativeConnection,
    workflowTaskQueue: taskQueue,
    roles: [...KNOWN_ROLES],
    provider: new ScriptedAgent(SCENARIO),
    workflowQueueActivities: createLedgerActivities({ pool, where: 'test', close: async () => undefined }),
  });
  running = workers.run();
});

after(async () => {
  workers?.shutdown();
  await running;
  await pool?.end();
  await env?.teardown();
  await pg?.teardown();
  if (defsDir) rmSync(defsDir, { recursive: true, force: true });
});

const options = (over: Partial<LoopOptions> = {}): LoopOptions => ({
  client: env.client,
  pool,
  concurrency: 1,
  pollMs: 100,
  taskQueue,
  definitionsDir: defsDir,
  log: (line) => process.stderr.write(`loop: ${line}\n`),
  ...over,
});

test('follow-ups run next, a dependent waits for its dependency, --max-iterations stops with work left', async () => {
  await insertBead(pool, { id: id('a'), title: 'Build the thing', type: 'loopwork', priority: 'P2' });
  await insertBead(pool, { id: id('b'), title: 'After c', type: 'tidy', priority: 'P1', dependsOn: [id('c')] });
  await insertBead(pool, { id: id('c'), title: 'First c', type: 'tidy', priority: 'P3' });
  await insertBead(pool, { id: id('d'), title: 'Last one', type: 'tidy', priority: 'P4' });

  const result = await runBacklogLoop(options({ maxIterations: 4 }));

  // b (P1) is held back until c (P3) is closed; a's follow-up (P0) runs right after a.
  assert.deepEqual(
    result.started.map((s) => s.beadId),
    [id('a'), `${id('a')}.1`, id('c'), id('b')],
  );
  assert.deepEqual(
    result.followUps.map((f) => [f.beadId, f.parent, f.reason]),
    [[`${id('a')}.1`, id('a'), 'Tidy after the build']],
  );
  assert.match(result.warnings.join('\n'), /follow_ups\[1\]: no "title"/);
  const order = result.finished.map((f) => f.beadId);
  assert.ok(order.indexOf(id('c')) < order.indexOf(id('b')), `c ends before b starts: ${order.join(', ')}`);
  assert.ok(
    result.finished.every((f) => f.status === 'completed'),
    JSON.stringify(result.finished),
  );
  assert.equal(result.stoppedBecause, 'max iterations');
  assert.match(result.message, /stopped after --max-iterations 4 beads with work left in the backlog; run `npx beadflow loop` again/);

  const followUp = await getBead(pool, `${id('a')}.1`);
  assert.deepEqual([followUp?.parent_id, followUp?.source, followUp?.status, followUp?.priority], [id('a'), 'follow-up', 'closed', 0]);
  assert.equal((await getBead(pool, id('d')))?.status, 'open');

  // The next run goes on with what is left, and files no follow-up twice.
  const again = await runBacklogLoop(options({ maxIterations: 10 }));
  assert.deepEqual(
    again.started.map((s) => s.beadId),
    [id('d')],
  );
  assert.deepEqual([again.stoppedBecause, again.message, again.followUps], ['backlog empty', 'the backlog is empty', []]);
});

test('a run terminated under the loop is a critical failure: the loop stops and says why', async () => {
  await insertBead(pool, { id: id('slow'), title: 'Takes a while', type: 'slow', priority: 'P0' });
  await insertBead(pool, { id: id('next'), title: 'Never reached', type: 'tidy', priority: 'P4' });
  const loop = runBacklogLoop(options());
  const handle = env.client.workflow.getHandle(id('slow'));
  await waitFor(
    () =>
      handle
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => false),
    { timeoutMs: 20_000, what: 'slow bead running' },
  );
  await handle.terminate('test: the engine broke');
  const result = await loop;
  assert.equal(result.stoppedBecause, 'critical');
  assert.equal(result.critical?.beadId, id('slow'));
  assert.match(result.message, new RegExp(`^stopped on a critical failure: bead ${id('slow')}: its run was terminated`));
  assert.match(result.critical?.hint ?? '', /npx beadflow status/);
  assert.deepEqual(
    result.started.map((s) => s.beadId),
    [id('slow')],
  );
  assert.equal((await getBead(pool, id('next')))?.status, 'open');
});
