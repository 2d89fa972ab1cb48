/**
 * Issue 14 on a real dev server: one bead runs on workers set up the way `npm run worker --
 * --metrics-port` sets them up (installObservability), with tracing to a local OTLP/HTTP receiver.
 * /metrics shows Temporal's series and beadflow's; the bead is one trace with turn, approval and
 * commit spans; activity log lines name the bead, node, role and attempt.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startBeadRun } from '../../src/client/start';
import type { Observability } from '../../src/observability/runtime';
import { installObservability } from '../../src/observability/runtime';
import { BeadHarness } from '../helpers/beads';
import type { OtlpReceiver, ReceivedSpan } from '../helpers/otlp-receiver';
import { startOtlpReceiver } from '../helpers/otlp-receiver';
import { startTestEnv, uniqueId, waitFor } from '../helpers/temporal';
import { bugLike } from '../fixtures/definitions';
import { CommitHarness } from '../fixtures/commit-harness';
import { waitForState } from '../helpers/beads';
import { WorkerSet } from '../../src/workers/worker-set';
import { ScriptedAgent } from '../../src/activities/agents/scripted';
import { KNOWN_ROLES } from '../../src/shared/roles';

describe('observability: metrics, traces and logs of one bead', () => {
  let env: TestWorkflowEnvironment;
  let obs: Observability;
  let receiver: OtlpReceiver;
  let logFile: string;
  let beadId: string;
  let taskQueue: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'beadflow-obs-')), 'worker.log');
    // Before the dev server: the Runtime is installed once per process, by us.
    obs = await installObservability({
      log: { level: 'info', format: 'json', file: logFile },
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'beadflow-test' },
      info: { agent: 'scripted' },
    });
    assert.ok(obs.tracing, 'tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set');
    env = await startTestEnv();
    const h = new BeadHarness(env);
    taskQueue = h.taskQueue;
    const workers = await h.workers({ observability: obs.worker });
    const client = new Client({ connection: env.connection, interceptors: { workflow: obs.clientInterceptors } });
    await workers.runUntil(async () => {
      beadId = uniqueId('bead');
      const handle = await startBeadRun(
        client,
        {
          bead: { id: beadId, title: 'observed bead', type: 'bug', description: '', priority: 'P2', labels: [] },
          definition: bugLike(),
          options: { roleQueuePrefix: h.roleQueuePrefix },
        },
        h.taskQueue,
      );
      assert.equal((await handle.result()).status, 'completed');
    });
  });

  after(async () => {
    await env?.teardown();
    await obs?.close();
    await receiver?.close();
  });

  test('/metrics serves Temporal SDK series and beadflow series together', async () => {
    assert.ok(obs.metrics, 'metrics server started');
    const has = (text: string, re: RegExp) => re.test(text);
    const text = await waitFor(
      async () => {
        const body = await (await fetch(obs.metrics!.url)).text();
        return has(body, /^temporal_workflow_completed\{/m) && has(body, /beadflow_beads_completed_total\{[^}]*status="completed"/)
          ? body
          : undefined;
      },
      { timeoutMs: 15_000, what: 'temporal_workflow_completed and beadflow_beads_completed_total{status="completed"} on /metrics' },
    );
    const line = (re: RegExp) => text.split('\n').find((l) => re.test(l) && l.includes(taskQueue));
    assert.match(line(/^beadflow_beads_started_total\{/) ?? '', / 1$/, 'one bead started on this task queue');
    assert.ok(
      line(/^beadflow_transitions_total\{condition="approved",definition="test-def",.*node="pm_review"/),
      'edge pm_review --approved--> counted, by definition',
    );
    assert.ok(line(/^beadflow_turn_seconds_count\{.*role="/), 'turn durations by role');
    assert.ok(line(/^beadflow_approval_wait_seconds_count\{.*node="pm_review"/), 'approval wait recorded');
    assert.match(text, /^beadflow_turn_seconds_bucket\{[^}]*le="300"/m, 'turn histogram uses beadflow buckets');
    assert.match(text, /^beadflow_process_cpu_user_seconds_total /m, "prom-client's process metrics");
    assert.match(text, /^beadflow_worker_info\{agent="scripted"\} 1$/m);
  });

  test('the bead is one trace: workflow, turn/approval/commit spans and their activities linked by parent', async () => {
    await obs.tracing!.flush();
    const spans = await waitFor(
      async () => {
        await obs.tracing!.flush();
        const start = receiver.spans.find((s) => s.name === 'StartWorkflow:beadWorkflow' && s.attributes.temporalWorkflowId === beadId);
        const ended = (name: string) => receiver.spans.some((s) => s.name === name && s.traceId === start?.traceId);
        return start && ended('RunWorkflow:beadWorkflow') && ended('commit commit_and_push') ? receiver.spans : undefined;
      },
      { timeoutMs: 15_000, what: `the spans of bead ${beadId}` },
    );
    assert.equal(receiver.rejected, 0);
    const start = spans.find((s) => s.name === 'StartWorkflow:beadWorkflow' && s.attributes.temporalWorkflowId === beadId);
    assert.ok(start, 'the client start span');
    const trace = spans.filter((s) => s.traceId === start.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parent = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const one = (name: string) => {
      const found = trace.filter((s) => s.name === name);
      assert.ok(found.length >= 1, `span ${name} in the bead's trace (have: ${[...new Set(trace.map((s) => s.name))].join(', ')})`);
      return found[0];
    };
    const run = one('RunWorkflow:beadWorkflow');
    assert.equal(parent(run)?.spanId, start.spanId, 'RunWorkflow is a child of the client StartWorkflow');
    assert.equal(start.parentSpanId, undefined, 'the start span is the root');
    for (const name of ['turn investigate', 'approval pm_review', 'turn apply_fix', 'commit commit_and_push'])
      assert.equal(parent(one(name))?.spanId, run.spanId, `${name} is a child of RunWorkflow`);
    const turn = one('turn investigate');
    assert.equal(turn.attributes['beadflow.role'], bugLike().nodes.find((n) => n.key === 'investigate')!.role);
    const startActivity = trace.find((s) => s.name === 'StartActivity:agentTurn' && parent(s)?.spanId === turn.spanId);
    assert.ok(startActivity, 'the turn schedules its agentTurn activity inside its span');
    const runActivity = trace.find((s) => s.name === 'RunActivity:agentTurn' && parent(s)?.spanId === startActivity.spanId);
    assert.ok(runActivity, "the role worker's RunActivity span is a child of StartActivity");
    assert.ok(trace.every((s) => s.service === 'beadflow-test'));
  });

  test("activity log lines carry the bead, node, role and attempt; the SDK's lines go to the same log", async () => {
    const lines = fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = lines.find((l) => l.msg === 'agent turn started' && l.bead === beadId && l.node === 'investigate');
    assert.ok(started, `an "agent turn started" line for ${beadId} in ${logFile}`);
    assert.equal(typeof started.role, 'string');
    assert.equal(started.attempt, 1);
    assert.equal(started.activityAttempt, 1);
    const run = receiver.spans.find((s) => s.name === 'RunActivity:agentTurn' && s.spanId === started.span_id);
    assert.ok(run, `the line's span_id ${String(started.span_id)} is its RunActivity span`);
    assert.equal(started.trace_id, run.traceId, "and trace_id the bead's trace");
    assert.ok(
      lines.some((l) => l.sdkComponent === 'worker'),
      "the SDK's worker lines are routed through the same logger",
    );
  });

  /** The /metrics lines of one task queue that match `re`, polled until there is one. */
  function scrapeLine(queue: string, re: RegExp, what: string): Promise<string> {
    return waitFor(
      async () => {
        const body = await (await fetch(obs.metrics!.url)).text();
        return body.split('\n').find((l) => re.test(l) && l.includes(`taskQueue="${queue}"`));
      },
      { timeoutMs: 15_000, what },
    );
  }

  test('a real commit records the commit lock wait and hold', async () => {
    const h = new CommitHarness(env, { 'README.md': '# repo\n' });
    try {
      const workers = await h.workers({ observability: obs.worker });
      await workers.runUntil(async () => {
        const handle = await h.start([{ file: 'a.txt', content: 'observed\n' }]);
        assert.equal((await handle.result()).status, 'completed');
      });
      assert.match(await scrapeLine(h.taskQueue, /^beadflow_commit_lock_wait_seconds_count\{.*outcome="granted"/, 'lock wait'), / 1$/);
      assert.match(await scrapeLine(h.taskQueue, /^beadflow_commit_lock_hold_seconds_count\{.*outcome="success"/, 'lock hold'), / 1$/);
    } finally {
      h.cleanup();
    }
  });

  test('an escalation is counted by its reason', async () => {
    const h = new BeadHarness(env);
    const workers = await h.workers({ observability: obs.worker });
    await workers.runUntil(async () => {
      const handle = await h.start(bugLike({ investigate: { maxAttempts: 1 } }), { scenario: { investigate: ['failure'] } });
      await waitForState(handle, (s) => s.status === 'escalated', 'the bead to escalate');
      assert.match(
        await scrapeLine(h.taskQueue, /^beadflow_escalations_total\{.*reason="attempts"/, 'escalations{reason="attempts"}'),
        / 1$/,
      );
      await handle.cancel();
    });
  });

  test('replays count nothing twice: with no workflow cache every task replays, each edge still counts once', async () => {
    const h = new BeadHarness(env);
    const workers = await WorkerSet.create({
      connection: env.nativeConnection,
      workflowTaskQueue: h.taskQueue,
      roles: [...KNOWN_ROLES],
      roleQueuePrefix: h.roleQueuePrefix,
      provider: new ScriptedAgent(),
      maxCachedWorkflows: 0,
      observability: obs.worker,
    });
    await workers.runUntil(async () => {
      const handle = await h.start(bugLike());
      assert.equal((await handle.result()).status, 'completed');
    });
    assert.match(await scrapeLine(h.taskQueue, /^beadflow_beads_completed_total\{/, 'beads completed'), / 1$/);
    assert.match(await scrapeLine(h.taskQueue, /^beadflow_beads_started_total\{/, 'beads started'), / 1$/);
    assert.match(await scrapeLine(h.taskQueue, /^beadflow_transitions_total\{.*node="investigate"/, 'edge investigate'), / 1$/);
    assert.match(await scrapeLine(h.taskQueue, /^beadflow_turn_seconds_count\{.*role="QA Engineer"/, 'QA turns'), / 2$/);
  });
});
