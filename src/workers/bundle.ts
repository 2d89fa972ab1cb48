/** Bundles workflow code once per process and path: bundling takes seconds, workers are created often. */
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

const cached = new Map<string, Promise<WorkflowBundle>>();

/** The workflow interceptors tracing adds (src/workflows/tracing-interceptors.ts). */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('../workflows/tracing-interceptors');

/**
 * The bundle of `workflowsPath` (default: src/workflows; the benchmark passes its own index).
 * `tracing` bundles the OpenTelemetry workflow interceptors too (the worker then needs the span sink).
 */
export function workflowBundle(
  workflowsPath: string = require.resolve('../workflows'),
  opts: { tracing?: boolean } = {},
): Promise<WorkflowBundle> {
  const key = `${workflowsPath}${opts.tracing ? '#tracing' : ''}`;
  let bundle = cached.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      logger: new DefaultLogger('WARN'),
      ...(opts.tracing ? { workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
    });
    cached.set(key, bundle);
  }
  return bundle;
}
