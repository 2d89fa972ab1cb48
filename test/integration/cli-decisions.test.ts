/** The CLI's decisions, cancel and status: Updates when a worker answers, signals and search attributes when none does. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BeadHarness, startParked, state, waitForState } from '../helpers/beads';
import { startTestEnv, waitFor } from '../helpers/temporal';
import { humanReview } from '../fixtures/definitions';
import { sendDecision } from '../../src/client/beads';
import { workflowPollers } from '../../src/client/pollers';
import { beadStatus } from '../../src/client/status';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { KNOWN_ROLES } from '../../src/shared/roles';
import { WorkerSet } from '../../src/workers/worker-set';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/beadflow.js');
const PARKING = `id: park-test
name: Park test
description: a task, then a person decides
workflow_type: parktest
nodes:
  - { node_key: look, node_type: task, role_required: QA Engineer, max_attempts: 1, instructions: look }
  - { node_key: review, node_type: approval, role_required: Product Manager, max_attempts: 1, instructions: decide, approval: { mode: human } }
edges:
  - { from_node_key: "", to_node_key: look, condition: success, priority: 1 }
  - { from_node_key: look, to_node_key: review, condition: success, priority: 1 }
  - { from_node_key: review, to_node_key: "", condition: approved, priority: 1 }
`;

type CliResult = { code: number; stdout: string; stderr: string };

describe('CLI decisions, cancel and status', () => {
  let env: TestWorkflowEnvironment;
  let cli: (...args: string[]) => Promise<CliResult>;
  before(async () => {
    env = await startTestEnv();
    cli = (...args) =>
      run('node', [BIN, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: env.address, BEADFLOW_LEDGER: 'off' } }).then(
        (r) => ({ code: 0, ...r }),
        (e: CliResult) => e,
      );
  });
  after(async () => env?.teardown());

  test('approve answers with the edge taken; a refusal exits 1 with the reason', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const refused = await cli('reject', handle.workflowId, '--by', 'Mallory', '--reason', 'no');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refused the reject: Mallory may not decide "pm_review"/);
      const empty = await cli('approve', handle.workflowId, '--by', '  ');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /--by is empty/);
      const ok = await cli('approve', handle.workflowId, '--by', 'Product Manager', '--reason', 'fine');
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /approved pm_review of \S+; took pm_review → apply_fix \(approved\)/);
      assert.equal((await handle.result()).status, 'completed');
    });
  });

  test('with no worker running: approve is delivered as a signal, status falls back to the search attributes', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers();
    const handle = await h.start(humanReview());
    await workers.runUntil(() => waitForState(handle, (x) => x.status === 'waiting_approval', 'waiting for pm_review'));
    // The server forgets a stopped poller only after minutes; a fresh task queue has none from the start.
    const idle = new BeadHarness(env);
    const parked = await idle.start(humanReview());
    await waitFor(async () => (await workflowPollers(env.client, idle.taskQueue)).length === 0, { what: 'no pollers on a fresh queue' });
    const status = await cli('status', parked.workflowId);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /status\s+running/);
    assert.match(status.stdout, /no worker is polling task queue/);
    // The roles of the bead's agent turns, on the queues its start input names.
    assert.match(status.stdout, /; roles without a worker: QA Engineer, Engineering Manager; /);
    assert.match(status.stdout, /ledger {6}the ledger is off/);
    const approve = await cli('approve', parked.workflowId, '--by', 'Product Manager');
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /sent to \S+ as a signal: no worker polls task queue/);
    await parked.terminate('test over');
    const gone = await cli('status', parked.workflowId, '--json');
    assert.equal(JSON.parse(gone.stdout).status, 'terminated');
    await handle.terminate('test over');
  });

  test('a worker that stopped but is still listed as a poller: status and approve fall back after the deadline, the decision applies once', async () => {
    const h = new BeadHarness(env);
    const handle = await h.start(humanReview());
    await (await h.workers()).runUntil(() => waitForState(handle, (x) => x.status === 'waiting_approval', 'waiting for pm_review'));
    assert.ok((await workflowPollers(env.client, h.taskQueue)).length > 0, 'the stopped worker is still listed');
    const status = await beadStatus(env.client, handle.workflowId, 1_500);
    assert.equal(status.source, 'search-attributes');
    assert.equal(status.source === 'search-attributes' && status.why, 'no-answer');
    assert.equal(status.source === 'search-attributes' && status.status, 'waiting_approval');
    const answer = await sendDecision(
      env.client,
      handle.workflowId,
      { kind: 'approve', payload: { by: 'Product Manager', reason: 'ok' } },
      1_500,
    );
    assert.deepEqual(answer, { delivered: 'signal', taskQueue: h.taskQueue, why: 'no-answer' });
    await (
      await h.workers()
    ).runUntil(async () => {
      assert.equal((await handle.result()).status, 'completed');
      const decisions = (await state(handle)).history.filter((e) => e.kind === 'decision');
      assert.deepEqual(
        decisions.map((e) => `${e.outcome}:${e.actor}`),
        ['approved:Product Manager'],
      );
    });
  });

  test('bead start --wait says when the bead parks and whose command decides; --timeout stops following with exit 3', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'beadflow-park-'));
    const file = path.join(dir, 'park.yaml');
    writeFileSync(file, PARKING);
    // `bead start` uses the default queues: a worker on them, in this file's own dev server.
    const workers = await WorkerSet.create({ connection: env.nativeConnection, roles: [...KNOWN_ROLES], provider: new ScriptedAgent() });
    try {
      await workers.runUntil(async () => {
        const r = await cli('bead', 'start', '--title', 'needs a person', '--definition', file, '--wait', '--timeout', '6s');
        assert.equal(r.code, 3, r.stderr);
        const id = /^(\S+) started with file /m.exec(r.stderr)?.[1];
        assert.ok(id, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`parked: ${id} waits at review for Product Manager; decide with: npx beadflow approve ${id} --by "Product Manager"`),
        );
        assert.match(r.stderr, new RegExp(`stopped following after 6s: ${id} is still waiting_approval at review`));
        const bad = await cli('bead', 'start', '--title', 'x', '--definition', file, '--wait', '--timeout', 'soon');
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--timeout "soon" is not a duration/);
        const approve = await cli('approve', id, '--by', 'Product Manager', '--json');
        assert.equal(approve.code, 0, approve.stderr);
        const answer = JSON.parse(approve.stdout) as {
          delivered: string;
          edge: { from: string; to: string; condition: string };
          status: string;
        };
        assert.equal(answer.delivered, 'update');
        assert.deepEqual(answer.edge, { from: 'review', to: '', condition: 'approved' });
        await env.client.workflow.getHandle(id).result();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cancel ends the bead cancelled; bead start refuses empty inputs with exit 2', async () => {
    const h = new BeadHarness(env);
    await (
      await h.workers()
    ).runUntil(async () => {
      const handle = await startParked(h, humanReview());
      const r = await cli('cancel', handle.workflowId, '--by', 'Operator', '--reason', 'wrong repository');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /now cancelled/);
      const s = await state(handle);
      assert.equal(s.status, 'cancelled');
      assert.match(s.endReason ?? '', /cancelled by Operator: wrong repository/);
      // Closed by Temporal under a live worker: the query still answers, the status is Temporal's word.
      const other = await h.start(humanReview());
      await waitForState(other, (x) => x.status === 'waiting_approval', 'second bead waiting');
      await other.terminate('operator pulled the plug');
      const terminated = await cli('status', other.workflowId);
      assert.equal(terminated.code, 0, terminated.stderr);
      assert.match(terminated.stdout, /^status\s+terminated/m);
      const list = await cli('list', '--json');
      const row = (JSON.parse(list.stdout) as Array<{ beadId: string; status: string }>).find((x) => x.beadId === handle.workflowId);
      assert.equal(row?.status, 'cancelled');
      assert.equal(
        (JSON.parse(list.stdout) as Array<{ beadId: string; status: string }>).find((x) => x.beadId === other.workflowId)?.status,
        'terminated',
      );
    });
    for (const [flags, message] of [
      [['--definition', ''], /--definition is empty/],
      [['--id', ''], /--id is empty/],
      [['--type', ''], /--type is empty/],
      [['--priority', 'P9'], /unknown priority "P9"/],
    ] as const) {
      const r = await cli('bead', 'start', '--title', 'x', ...flags);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /hint: /);
    }
    const json = await cli('bead', 'start', '--title', 'x', '--id', '', '--json');
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout).error, {
      message: '--id is empty',
      hint: 'leave --id out for a generated id, or pass one such as bug-42',
      kind: 'usage',
      exitCode: 2,
    });
  });
});
