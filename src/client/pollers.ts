/** Who polls a task queue right now: how the CLI tells "no worker is running" from "the bead is slow". */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

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
