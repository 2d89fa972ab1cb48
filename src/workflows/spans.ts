/**
 * beadflow's own spans inside a bead's trace: one per agent turn, approval wait and commit, each
 * the parent of the activities it schedules. With tracing off (no interceptors bundled) the
 * OpenTelemetry API is a no-op. Span ids come from a private random stream (see
 * tracing-interceptors.ts), never from the workflow's own `Math.random()`.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import { ProxyTracer, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { getRandomStream } from '@temporalio/workflow';
import type { WorkflowRandomStream } from '@temporalio/workflow';

const STREAM = 'beadflow/opentelemetry';

export function tracingRandom(): WorkflowRandomStream {
  return getRandomStream(STREAM);
}

/**
 * Runs `fn` inside a span named `name`; a thrown error marks the span failed and is rethrown.
 * Without a registered tracer (tracing off) the tracer is the API's no-op proxy, which draws no
 * ids, so the private stream is not entered: `with()` makes an AsyncLocalStorage per workflow,
 * and on Node 20 every promise of the worker thread then carries a slot for each cached workflow.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer('beadflow');
  const span =
    tracer instanceof ProxyTracer
      ? tracer.startSpan(name, { attributes })
      : tracingRandom().with(() => tracer.startSpan(name, { attributes }));
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
