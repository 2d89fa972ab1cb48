/** Who polls a task queue right now: how the CLI tells "no worker is running" from "the bead is slow". */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ROLE_QUEUE_PREFIX, roleTaskQueue } from '../shared/roles';

export interface Poller {
  identity: string;
  lastAccessTime?: Date;
}

async function pollers(client: Client, taskQueue: string, type: temporal.api.enums.v1.TaskQueueType): Promise<Poller[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  return (response.pollers ?? []).map((p) => ({
    identity: p.identity ?? '?',
    lastAccessTime: p.lastAccessTime?.seconds ? new Date(Number(p.lastAccessTime.seconds) * 1000) : undefined,
  }));
}

/** Workers polling a workflow task queue (recently: the server forgets a poller after a few minutes). */
export function workflowPollers(client: Client, taskQueue: string): Promise<Poller[]> {
  return pollers(client, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW);
}

/** Workers polling an activity (role) task queue. */
export function activityPollers(client: Client, taskQueue: string): Promise<Poller[]> {
  return pollers(client, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY);
}

/** The roles (as written) whose task queue nobody polls, in the order given, each once. */
export async function rolesWithoutWorker(client: Client, roles: readonly string[], prefix = ROLE_QUEUE_PREFIX): Promise<string[]> {
  const byQueue = new Map<string, string>();
  for (const role of roles) if (role.trim() && !byQueue.has(roleTaskQueue(role, prefix))) byQueue.set(roleTaskQueue(role, prefix), role);
  const idle = await Promise.all(
    [...byQueue].map(async ([queue, role]) => ((await activityPollers(client, queue)).length === 0 ? role : undefined)),
  );
  return idle.filter((r): r is string => r !== undefined);
}
