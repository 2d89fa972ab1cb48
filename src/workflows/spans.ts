/**
 * beadflow's own spans inside a bead's trace: one per agent turn, approval wait and commit, each
 * the parent of the activities it schedules. With tracing off (no interceptors bundled) the
 * OpenTelemetry API is a no-op. Span ids come from a private random stream (see
 * tracing-interceptors.ts), never from the workflow's own `Math.random()`.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { getRandomStream } from '@temporalio/workflow';
import type { WorkflowRandomStream } from '@temporalio/workflow';

const STREAM = 'beadflow/opentelemetry';

export function tracingRandom(): WorkflowRandomStream {
  return getRandomStream(STREAM);
}

/** Runs `fn` inside a span named `name`; a thrown error marks the span failed and is rethrown. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracingRandom().with(() => trace.getTracer('beadflow').startSpan(name, { attributes }));
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
