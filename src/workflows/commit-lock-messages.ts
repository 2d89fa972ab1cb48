/** Signal and query definitions of the commit lock (names in src/shared/commit-lock.ts). */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { LockGrant, LockRefusal, LockRelease, LockRenewal, LockRequest, LockState } from '../shared/commit-lock';
import { LOCK_SIGNALS, LOCK_STATE_QUERY } from '../shared/commit-lock';

export const requestLockSignal = defineSignal<[LockRequest]>(LOCK_SIGNALS.request);
export const releaseLockSignal = defineSignal<[LockRelease]>(LOCK_SIGNALS.release);
export const renewLockSignal = defineSignal<[LockRenewal]>(LOCK_SIGNALS.renew);
export const lockStateQuery = defineQuery<LockState>(LOCK_STATE_QUERY);

/** Signalled by the lock to the requesting bead. */
export const lockGrantedSignal = defineSignal<[LockGrant]>(LOCK_SIGNALS.granted);
export const lockRefusedSignal = defineSignal<[LockRefusal]>(LOCK_SIGNALS.refused);
