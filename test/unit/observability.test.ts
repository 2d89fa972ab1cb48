/** Issue 14, the pure parts: the metric catalog, the logger's choices, /metrics, the worker's flags. */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { activityLogFields } from '../../src/observability/activity-context';
import { SdkLogger, chooseLogFormat, createLogger, loggerSettings, parseLogLevel } from '../../src/observability/logger';
import { createRegistry, startMetricsServer } from '../../src/observability/metrics-server';
import { tracesEndpoint } from '../../src/observability/tracing';
import { METRICS, histogramBuckets } from '../../src/shared/metrics';
import type { MetricSpec } from '../../src/shared/metrics';
import { parseWorkerArgs } from '../../src/workers/options';

describe('metric catalog', () => {
  const specs = Object.values(METRICS) as MetricSpec[];

  test('names, kinds and labels are the documented ones', () => {
    const shape = Object.fromEntries(specs.map((s) => [s.name, `${s.kind}{${s.labels.join(',')}}`]));
    assert.deepEqual(shape, {
      beadflow_beads_started_total: 'counter{definition}',
      beadflow_beads_completed_total: 'counter{definition,status}',
      beadflow_transitions_total: 'counter{definition,node,condition}',
      beadflow_turn_seconds: 'histogram{role,outcome}',
      beadflow_approval_wait_seconds: 'histogram{node,outcome}',
      beadflow_escalations_total: 'counter{reason}',
      beadflow_commit_lock_wait_seconds: 'histogram{outcome}',
      beadflow_commit_lock_hold_seconds: 'histogram{outcome}',
      beadflow_model_tokens_total: 'counter{role}',
    });
  });

  test('counters end in _total; histograms are in seconds with increasing buckets the exporter is given', () => {
    for (const s of specs) {
      assert.match(s.name, /^beadflow_[a-z_]+$/);
      if (s.kind === 'counter') assert.match(s.name, /_total$/, s.name);
      else {
        assert.match(s.name, /_seconds$/, s.name);
        assert.equal(s.unit, 's');
        const b = [...(s.buckets ?? [])];
        assert.ok(b.length > 3 && b.every((v, i) => i === 0 || v > b[i - 1]), `${s.name} buckets increase`);
        assert.deepEqual(histogramBuckets()[s.name], b);
      }
      assert.ok(s.help.length > 10, `${s.name} has help`);
    }
  });
});

describe('logger', () => {
  test('JSON when stdout is not a terminal or logs go to a file, pretty on a terminal; BEADFLOW_LOG_FORMAT wins', () => {
    assert.equal(chooseLogFormat({ isTTY: false }), 'json');
    assert.equal(chooseLogFormat({ isTTY: true }), 'pretty');
    assert.equal(chooseLogFormat({ isTTY: true, file: '/tmp/x.log' }), 'json');
    assert.equal(chooseLogFormat({ isTTY: false, env: { BEADFLOW_LOG_FORMAT: 'pretty' } }), 'pretty');
    assert.equal(chooseLogFormat({ isTTY: true, env: { BEADFLOW_LOG_FORMAT: 'JSON' } }), 'json');
  });

  test('level from --log-level, else BEADFLOW_LOG_LEVEL, else info; nonsense is refused', () => {
    assert.equal(loggerSettings({ env: {}, isTTY: false }).level, 'info');
    assert.equal(loggerSettings({ env: { BEADFLOW_LOG_LEVEL: 'warn' }, isTTY: false }).level, 'warn');
    assert.equal(loggerSettings({ level: 'debug', env: { BEADFLOW_LOG_LEVEL: 'warn' }, isTTY: false }).level, 'debug');
    assert.deepEqual(loggerSettings({ env: { BEADFLOW_LOG_FILE: '/tmp/w.log' }, isTTY: true }), {
      level: 'info',
      format: 'json',
      file: '/tmp/w.log',
    });
    assert.throws(() => parseLogLevel('loud'), /log level "loud" is not one of trace, debug, info, warn, error, silent/);
  });

  test("the SDK's log calls become JSON lines with their level, message and metadata", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const pino = createLogger({ level: 'info', format: 'json' }, sink);
    const sdk = new SdkLogger(() => pino);
    sdk.debug('hidden below info');
    sdk.warn('Worker state changed', { sdkComponent: 'worker', taskQueue: 'q', timestampNanos: 12n });
    sdk.log('ERROR', 'broken');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(parsed.length, 2);
    assert.deepEqual(
      { level: parsed[0].level, msg: parsed[0].msg, sdkComponent: parsed[0].sdkComponent, ts: parsed[0].timestampNanos },
      { level: 40, msg: 'Worker state changed', sdkComponent: 'worker', ts: '12' },
    );
    assert.equal(parsed[1].level, 50);
    assert.equal(typeof parsed[0].time, 'string');
  });

  test('activity log fields come from the first argument: bead, node, role, attempt', () => {
    assert.deepEqual(activityLogFields({ beadId: 'b-1', node: { key: 'fix', role: 'Developer' }, attempt: 2 }), {
      bead: 'b-1',
      node: 'fix',
      role: 'Developer',
      attempt: 2,
    });
    assert.deepEqual(activityLogFields({ beadId: 'b-2', node: 'fix' }), { bead: 'b-2', node: 'fix' });
    assert.deepEqual(activityLogFields({ request: { beadId: 'b-3', node: 'commit' } }), { bead: 'b-3', node: 'commit' });
    assert.deepEqual(activityLogFields('text'), {});
  });
});

describe('/metrics', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  async function fakeSdk(body: string): Promise<string> {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  test("one answer holds the SDK's series and prom-client's", async () => {
    const sdkUrl = await fakeSdk('# TYPE temporal_workflow_completed counter\ntemporal_workflow_completed{namespace="default"} 3');
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: createRegistry({ agent: 'scripted' }), sdkUrl });
    closers.push(() => server.close());
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^temporal_workflow_completed\{namespace="default"\} 3$/m);
    assert.match(text, /^beadflow_worker_info\{agent="scripted"\} 1$/m);
    assert.match(text, /^beadflow_process_cpu_user_seconds_total /m);
    assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
  });

  test('when the SDK exporter does not answer, /metrics still serves the rest and says why', async () => {
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: createRegistry(),
      sdkUrl: 'http://127.0.0.1:1/metrics',
    });
    closers.push(() => server.close());
    const text = await (await fetch(server.url)).text();
    assert.match(text, /^# temporal sdk metrics unavailable: /m);
    assert.match(text, /^beadflow_worker_info 1$/m);
  });
});

describe('worker flags and tracing variables', () => {
  test('--metrics-port and --log-level, or their variables; a bad port is refused', () => {
    const argv = (...a: string[]) => ['node', 'main.ts', ...a];
    assert.equal(parseWorkerArgs(argv(), {}).metricsPort, undefined);
    assert.equal(parseWorkerArgs(argv('--metrics-port', '9464'), {}).metricsPort, 9464);
    assert.equal(parseWorkerArgs(argv(), { BEADFLOW_METRICS_PORT: '9500' }).metricsPort, 9500);
    assert.equal(parseWorkerArgs(argv('--log-level', 'debug'), { BEADFLOW_LOG_LEVEL: 'warn' }).logLevel, 'debug');
    assert.throws(
      () => parseWorkerArgs(argv('--metrics-port', 'http'), {}),
      /--metrics-port \/ BEADFLOW_METRICS_PORT must be a whole number/,
    );
  });

  test('tracing is off without an endpoint; the traces endpoint wins over the base one', () => {
    assert.equal(tracesEndpoint({}), undefined);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }), 'http://c:4318/v1/traces');
    assert.equal(
      tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/v1/traces' }),
      'http://t:4318/v1/traces',
    );
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
  });
});
