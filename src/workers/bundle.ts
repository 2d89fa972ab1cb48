/** Bundles workflow code once per process and path: bundling takes seconds, workers are created often. */
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

const cached = new Map<string, Promise<WorkflowBundle>>();

/** The bundle of `workflowsPath` (default: src/workflows; the benchmark passes its own index). */
export function workflowBundle(workflowsPath: string = require.resolve('../workflows')): Promise<WorkflowBundle> {
  let bundle = cached.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    cached.set(workflowsPath, bundle);
  }
  return bundle;
}
