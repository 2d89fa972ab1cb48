/**
 * Workflow interceptors for tracing (bundled only when the worker traces; see
 * src/observability/tracing.ts): @temporalio/interceptors-opentelemetry's, with one change. Its
 * tracer draws span and trace ids from `Math.random()`, which in a workflow is the workflow's
 * own deterministic stream — the one `uuid4()` uses for commit-lock request ids. Turning tracing
 * on or off would then change those ids on replay and break running beads. Here every
 * interceptor call runs with a private named random stream, so the workflow's sequence is the
 * same with and without tracing (the recorded histories replay both ways: test/unit/replay.test.ts).
 */
import type { WorkflowInterceptors } from '@temporalio/workflow';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { tracingRandom } from './spans';

/** Runs each of the interceptor's methods inside the tracing random stream. */
function isolated<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => tracingRandom().with(() => (value as (...a: unknown[]) => unknown).apply(obj, args));
    },
  });
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [isolated(new OpenTelemetryInboundInterceptor())],
  outbound: [isolated(new OpenTelemetryOutboundInterceptor())],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
