/** The lock section's baseline: the same (no-op) commit activity, called directly, no lock. */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { CommitActivities, CommitWorkInput } from '../../src/activities/git/types';

const { commitWork } = proxyActivities<CommitActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1s', maximumAttempts: 3, nonRetryableErrorTypes: ['GitConfigurationError'] },
});

export async function handCommit(input: CommitWorkInput): Promise<string> {
  return (await commitWork(input)).outcome;
}
