/**
 * Tracing: OpenTelemetry through @temporalio/interceptors-opentelemetry, exported over OTLP/HTTP
 * (JSON) to whatever the standard variables name. Off unless an endpoint is set:
 *
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full URL of the traces endpoint (…/v1/traces), or
 *   OTEL_EXPORTER_OTLP_ENDPOINT         base URL; /v1/traces is appended
 *   OTEL_EXPORTER_OTLP_HEADERS          extra headers (k=v,k2=v2), OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER=none
 *
 * One bead is one trace: the client's StartWorkflow span (or the workflow's RunWorkflow span when
 * the starter does not trace), beadflow's `turn`/`approval`/`commit` spans inside it, and the
 * activities each schedules (RunActivity spans on the role workers).
 */

import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Sinks } from '@temporalio/workflow';

/** The traces endpoint the environment names, or undefined when tracing is off. */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase() === 'none') return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export interface Tracing {
  endpoint: string;
  /** Worker options: activity interceptors and the sink workflows export their spans through. */
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<Sinks>;
  /** For clients that start beads: the StartWorkflow span becomes the bead's root. */
  clientInterceptors: WorkflowClientInterceptor[];
  /** Sends what is buffered (call before exit). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Sets up the tracer provider and exporter; undefined when no endpoint is configured. */
export function startTracing(
  opts: { env?: NodeJS.ProcessEnv; serviceName?: string; exporter?: SpanExporter; batch?: boolean } = {},
): Tracing | undefined {
  const env = opts.env ?? process.env;
  const endpoint = opts.exporter ? 'custom exporter' : tracesEndpoint(env);
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || opts.serviceName || 'beadflow-worker' });
  const exporter = opts.exporter ?? new OTLPTraceExporter({ url: endpoint });
  const processor: SpanProcessor = opts.batch === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return {
    endpoint,
    activityInterceptors: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
    sinks: { exporter: makeWorkflowExporter(processor, resource) } as InjectedSinks<Sinks>,
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor()],
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}
