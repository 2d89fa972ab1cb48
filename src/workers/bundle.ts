/** Bundles workflow code once per process: bundling takes seconds, workers are created often. */
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

let cached: Promise<WorkflowBundle> | undefined;

export function workflowBundle(): Promise<WorkflowBundle> {
  cached ??= bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  return cached;
}
