/**
 * Every activity's log lines carry the bead, node, role and the node's attempt, read from the
 * activity's first argument (agent turns, model and tool calls, commits, ledger writes all pass
 * `beadId` and a node). The SDK's own `attempt` (this activity's retry) becomes `activityAttempt`.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export interface ActivityLogFields {
  bead?: string;
  node?: string;
  role?: string;
  attempt?: number;
}

/** The log fields an activity's first argument names. */
export function activityLogFields(arg: unknown): ActivityLogFields {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  const out: ActivityLogFields = {};
  const bead = a.beadId ?? (a.request as Record<string, unknown> | undefined)?.beadId;
  if (typeof bead === 'string') out.bead = bead;
  const node = a.node ?? (a.request as Record<string, unknown> | undefined)?.node;
  if (typeof node === 'string') out.node = node;
  else if (node && typeof node === 'object') {
    const n = node as { key?: unknown; role?: unknown };
    if (typeof n.key === 'string') out.node = n.key;
    if (typeof n.role === 'string') out.role = n.role;
  }
  if (typeof a.attempt === 'number') out.attempt = a.attempt;
  return out;
}

export const activityLogContext: ActivityInterceptorsFactory = () => {
  let fields: ActivityLogFields = {};
  return {
    inbound: {
      execute(input, next) {
        fields = activityLogFields(input.args[0]);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attrs, next) {
        const { attempt, ...rest } = attrs;
        return next({ ...rest, ...(attempt !== undefined ? { activityAttempt: attempt } : {}), ...fields });
      },
    },
  };
};
