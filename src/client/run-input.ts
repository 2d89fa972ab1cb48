/**
 * A bead run's start input, read from its first history event: the definition the run is pinned
 * to and its options (role queue prefix). Lets the CLI say which roles a bead needs without
 * asking a worker.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ResolvedDefinition, ResolvedNode } from '../dsl/types';
import type { BeadInput } from '../shared/bead';

export async function runStartInput(client: Client, handle: WorkflowHandle, runId?: string): Promise<BeadInput | undefined> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: handle.workflowId, runId },
    maximumPageSize: 1,
  });
  const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input = client.options.loadedDataConverter.payloadConverter.fromPayload<unknown>(payload);
  return input && typeof input === 'object' && 'definition' in input ? (input as BeadInput) : undefined;
}

/** Nodes whose work is an agent turn on a role's task queue (a human-only approval waits for a person instead). */
function needsRoleWorker(node: ResolvedNode): boolean {
  if (node.type === 'approval') return (node.approval?.mode ?? 'any') !== 'human';
  return node.type === 'task' || node.type === 'verify' || node.type === 'commit';
}

/** Roles the definition's agent turns run as, each once, in node order. */
export function agentRoles(definition: ResolvedDefinition): string[] {
  return [
    ...new Set(
      definition.nodes
        .filter(needsRoleWorker)
        .map((n) => n.role)
        .filter(Boolean),
    ),
  ];
}
