/**
 * beadflow's own metrics: one catalog of names, kinds and labels. Workflow code records them
 * through the SDK's replay-safe workflow metric meter (src/workflows/metrics.ts); they come out
 * on the worker's /metrics next to Temporal's own `temporal_*` series. Plain data: workflow code
 * imports it, the unit tests and docs/observability.md check it.
 */

export type MetricKind = 'counter' | 'histogram';

export interface MetricSpec {
  name: string;
  kind: MetricKind;
  /** Label names this metric is recorded with (besides the SDK's namespace, task_queue, workflow_type). */
  labels: readonly string[];
  help: string;
  /** Histograms: bucket boundaries, in the metric's unit. */
  buckets?: readonly number[];
  unit?: string;
}

/** Seconds buckets from a second to a day: turns and waits are minutes to hours. */
const WAIT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400] as const;
/** Lock waits and holds: milliseconds to minutes. */
const LOCK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] as const;

export const METRICS = {
  beadsStarted: {
    name: 'beadflow_beads_started_total',
    kind: 'counter',
    labels: ['definition'],
    help: 'Beads started (not counting continue-as-new runs).',
  },
  beadsCompleted: {
    name: 'beadflow_beads_completed_total',
    kind: 'counter',
    labels: ['definition', 'status'],
    help: 'Beads that ended, by final status (completed, failed, aborted, escalated, cancelled).',
  },
  transitions: {
    name: 'beadflow_transitions_total',
    kind: 'counter',
    labels: ['definition', 'node', 'condition'],
    help: 'Edges taken: the node left and the condition of the edge.',
  },
  turnSeconds: {
    name: 'beadflow_turn_seconds',
    kind: 'histogram',
    labels: ['role', 'outcome'],
    help: 'Agent turns as the bead saw them, from dispatch to result (model turns include their whole loop).',
    buckets: WAIT_BUCKETS,
    unit: 's',
  },
  approvalWaitSeconds: {
    name: 'beadflow_approval_wait_seconds',
    kind: 'histogram',
    labels: ['node', 'outcome'],
    help: 'How long approval nodes waited for a decision (outcome: decided, reviewed, timeout).',
    buckets: WAIT_BUCKETS,
    unit: 's',
  },
  escalations: { name: 'beadflow_escalations_total', kind: 'counter', labels: ['reason'], help: 'Escalations to the CEO, by reason.' },
  commitLockWaitSeconds: {
    name: 'beadflow_commit_lock_wait_seconds',
    kind: 'histogram',
    labels: ['outcome'],
    help: "From asking for a repository's commit lock to its grant or refusal (outcome: granted, refused, timeout).",
    buckets: LOCK_BUCKETS,
    unit: 's',
  },
  commitLockHoldSeconds: {
    name: 'beadflow_commit_lock_hold_seconds',
    kind: 'histogram',
    labels: ['outcome'],
    help: 'From the grant of the commit lock to its release (outcome: success, failure, timeout, error).',
    buckets: LOCK_BUCKETS,
    unit: 's',
  },
  modelTokens: {
    name: 'beadflow_model_tokens_total',
    kind: 'counter',
    labels: ['role'],
    help: "Model tokens (input + output) spent by agents' turns.",
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricId = keyof typeof METRICS;

/** Histogram bucket overrides for the SDK's Prometheus exporter, by metric name. */
export function histogramBuckets(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of Object.values(METRICS) as MetricSpec[]) if (spec.buckets) out[spec.name] = [...spec.buckets];
  return out;
}
