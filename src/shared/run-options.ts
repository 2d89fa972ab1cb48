/**
 * RunOptions compiled once, at the workflow's entry (as the SDK compiles a retry policy): every
 * default applied in one place, the result frozen. Lock fields stay optional on purpose: unset
 * means "the lock's own setting", and a value would override what the lock was started with.
 */
import type { RunOptions } from './bead';
import { ROLE_QUEUE_PREFIX } from './roles';

export const RUN_DEFAULTS = {
  heartbeatTimeoutMs: 30_000,
  turnRetryAttempts: 5,
  ledger: { retryMaxIntervalMs: 30_000, flushTimeoutMs: 10_000, batchMs: 2_000 },
} as const;

export interface CompiledRunOptions {
  readonly roleQueuePrefix: string;
  readonly continueAsNewAfterEvents?: number;
  readonly workflowTaskQueue?: string;
  readonly heartbeatTimeoutMs: number;
  readonly turnRetryAttempts: number;
  readonly lock: Readonly<NonNullable<RunOptions['lock']>>;
  readonly ledger: { readonly retryMaxIntervalMs: number; readonly flushTimeoutMs: number; readonly batchMs: number };
}

export function compileRunOptions(options: RunOptions | undefined): CompiledRunOptions {
  const o = options ?? {};
  return Object.freeze({
    roleQueuePrefix: o.roleQueuePrefix ?? ROLE_QUEUE_PREFIX,
    ...(o.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: o.continueAsNewAfterEvents } : {}),
    ...(o.workflowTaskQueue !== undefined ? { workflowTaskQueue: o.workflowTaskQueue } : {}),
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? RUN_DEFAULTS.heartbeatTimeoutMs,
    turnRetryAttempts: o.turnRetryAttempts ?? RUN_DEFAULTS.turnRetryAttempts,
    lock: Object.freeze({ ...o.lock }),
    ledger: Object.freeze({
      retryMaxIntervalMs: o.ledger?.retryMaxIntervalMs ?? RUN_DEFAULTS.ledger.retryMaxIntervalMs,
      flushTimeoutMs: o.ledger?.flushTimeoutMs ?? RUN_DEFAULTS.ledger.flushTimeoutMs,
      batchMs: o.ledger?.batchMs ?? RUN_DEFAULTS.ledger.batchMs,
    }),
  });
}
