/**
 * The bead's metrics, recorded from the workflow shell through the SDK's workflow metric meter:
 * it is replay-safe (a replayed workflow task records nothing again) and creates no commands, so
 * recorded histories replay unchanged. The interpreter stays pure: this reads the history entries
 * it appended (edges taken, escalations) after each step, by seq.
 */
import { metricMeter } from '@temporalio/workflow';
import type { MetricCounter, MetricHistogram } from '@temporalio/common';
import type { InterpreterState } from '../interpreter';
import type { TurnUsage } from '../shared/agent-loop';
import { METRICS } from '../shared/metrics';
import type { MetricSpec } from '../shared/metrics';

type Tags = Record<string, string>;

/** The meter's instruments are plain descriptions (each value is sent through a sink): made per use. */
function counter(spec: MetricSpec): MetricCounter {
  return metricMeter.createCounter(spec.name, undefined, spec.help);
}

function histogram(spec: MetricSpec): MetricHistogram {
  return metricMeter.createHistogram(spec.name, 'float', spec.unit, spec.help);
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}

/** Records a metric; a metrics failure never fails a workflow task. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Metrics are best effort.
  }
}

export function countMetric(spec: MetricSpec, tags: Tags, value = 1): void {
  safely(() => counter(spec).add(value, tags));
}

export function recordSeconds(spec: MetricSpec, ms: number, tags: Tags): void {
  safely(() => histogram(spec).record(seconds(ms), tags));
}

/** A turn's result, as the bead saw it: duration by role and outcome, and the tokens it spent. */
export function recordTurn(role: string, outcome: string, ms: number, usage?: TurnUsage): void {
  recordSeconds(METRICS.turnSeconds, ms, { role, outcome });
  const tokens = usage ? usage.totalTokens || usage.inputTokens + usage.outputTokens : 0;
  if (tokens > 0) countMetric(METRICS.modelTokens, { role }, tokens);
}

/** Follows one bead's interpreter history: counts each edge taken and each escalation once. */
export class BeadMetrics {
  private seenSeq: number;

  constructor(
    private readonly state: () => InterpreterState,
    private readonly definition: string,
    /** History seq already counted (a continue-as-new run starts where the previous one ended). */
    fromSeq: number,
  ) {
    this.seenSeq = fromSeq;
  }

  started(): void {
    countMetric(METRICS.beadsStarted, { definition: this.definition });
  }

  /** After every step: the edges and escalations the interpreter recorded since the last call. */
  observe(): void {
    const s = this.state();
    if (s.historyTotal <= this.seenSeq) return;
    for (const h of s.history) {
      if (h.seq <= this.seenSeq) continue;
      if (h.kind === 'move')
        countMetric(METRICS.transitions, { definition: this.definition, node: h.node || '^', condition: String(h.condition ?? '') });
      else if (h.kind === 'escalation') countMetric(METRICS.escalations, { reason: h.outcome ?? 'unknown' });
    }
    this.seenSeq = s.historyTotal;
  }

  ended(status: string): void {
    this.observe();
    countMetric(METRICS.beadsCompleted, { definition: this.definition, status });
  }
}
