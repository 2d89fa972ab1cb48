/**
 * One call at worker start-up wires the process's observability: the Temporal Runtime (its logger
 * routed through pino, Core's Prometheus exporter on a loopback port), the /metrics server that
 * merges it with prom-client's registry, and OpenTelemetry tracing when OTEL_* names an endpoint.
 * Must run before anything touches the Runtime (a connection, a worker).
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Sinks } from '@temporalio/workflow';
import { histogramBuckets } from '../shared/metrics';
import { activityLogContext } from './activity-context';
import type { LogLevel, LoggerSettings } from './logger';
import { SdkLogger, configureLogging, sdkLevel } from './logger';
import type { MetricsServer } from './metrics-server';
import { createRegistry, freeLoopbackPort, startMetricsServer } from './metrics-server';
import type { Tracing } from './tracing';
import { startTracing } from './tracing';

/** What WorkerSet passes to every Worker it creates. */
export interface WorkerObservability {
  /** Bundle the tracing workflow interceptors (the sinks below must be set then). */
  tracing: boolean;
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks?: InjectedSinks<Sinks>;
}

export interface Observability {
  metrics?: MetricsServer;
  tracing?: Tracing;
  worker: WorkerObservability;
  clientInterceptors: WorkflowClientInterceptor[];
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  log: LoggerSettings;
  /** Serve /metrics on this port (0: any free port); undefined: no metrics. */
  metricsPort?: number;
  metricsHost?: string;
  env?: NodeJS.ProcessEnv;
  serviceName?: string;
  /** Labels of `beadflow_worker_info`. */
  info?: Record<string, string>;
}

/** Core's own log lines: as chatty as ours only when debugging, else warnings and errors. */
function coreLevel(level: LogLevel) {
  return level === 'trace' || level === 'debug' ? sdkLevel(level) : 'WARN';
}

export async function installObservability(opts: ObservabilityOptions): Promise<Observability> {
  const log = configureLogging(opts.log);
  const sdkPort = opts.metricsPort !== undefined ? await freeLoopbackPort() : undefined;
  Runtime.install({
    logger: new SdkLogger(),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLevel(opts.log.level), other: 'WARN' }) },
      ...(sdkPort !== undefined
        ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, histogramBucketOverrides: histogramBuckets() } } }
        : {}),
    },
  });
  const closers: Array<() => Promise<void>> = [];
  let metrics: MetricsServer | undefined;
  if (sdkPort !== undefined) {
    metrics = await startMetricsServer({
      port: opts.metricsPort!,
      host: opts.metricsHost,
      registry: createRegistry(opts.info),
      sdkUrl: `http://127.0.0.1:${sdkPort}/metrics`,
    });
    closers.push(() => metrics!.close());
    log.info({ url: metrics.url }, 'metrics served');
  }
  const tracing = startTracing({ env: opts.env, serviceName: opts.serviceName });
  if (tracing) {
    closers.push(() => tracing.shutdown());
    log.info({ endpoint: tracing.endpoint }, 'tracing to OTLP/HTTP');
  }
  return {
    metrics,
    tracing,
    worker: {
      tracing: !!tracing,
      activityInterceptors: [activityLogContext, ...(tracing?.activityInterceptors ?? [])],
      ...(tracing ? { sinks: tracing.sinks } : {}),
    },
    clientInterceptors: tracing?.clientInterceptors ?? [],
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}

/** The Worker.create options a WorkerObservability stands for (WorkerSet spreads them). */
export function observedWorkerOptions(obs: WorkerObservability | undefined): {
  interceptors?: { activity: ActivityInterceptorsFactory[] };
  sinks?: InjectedSinks<Sinks>;
} {
  if (!obs) return {};
  return { interceptors: { activity: obs.activityInterceptors }, ...(obs.sinks ? { sinks: obs.sinks } : {}) };
}
