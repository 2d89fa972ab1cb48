/**
 * Terminal vs retryable agent errors. A malformed answer will not improve by asking the same
 * worker again, so it fails the turn at once (counted as one attempt by the interpreter); anything
 * else thrown is treated as infrastructure and retried by Temporal first.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../shared/errors';

export function malformedResult(provider: string, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${provider} agent returned a malformed result: ${why}`, ERROR_TYPES.malformedAgentResult);
}

export function agentConfigurationError(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.agentConfiguration);
}
