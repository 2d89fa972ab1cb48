/** The run's figures as plain-text tables for the terminal (and for bench/README.md). */
import type { BenchResults } from '../run';
import type { Summary } from '../stats';
import { checkGoals, renderGoals } from './goals';
import { renderTable } from './table-format';

export { renderTable } from './table-format';

const n = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ms = (s: Summary) => `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)}`;
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);
const sec = (v: number) => `${n(v / 1000, 1)} s`;

export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`beadflow benchmark — ${r.startedAt}, ${sec(r.durationMs)}`);
  const server = /Server [^,)]+/.exec(m.temporalVersionLine)?.[0] ?? m.temporalVersionLine;
  out.push(
    `${m.cores} cores (${m.cpuModel}), ${mb(m.memoryBytes)}, ${m.os}; Node ${m.node}; Temporal CLI ${m.temporalCli} (${server}); SDK ${m.temporalSdk}`,
  );
  out.push(
    `worker: ${r.parameters.activityConcurrency} turns at once per role, sticky cache ${r.parameters.maxCachedWorkflows}, ledger ${r.parameters.ledgerUrl ? 'on' : 'off'}${r.parameters.dynamicConfig.length ? `; server dynamic config ${r.parameters.dynamicConfig.join(' ')}` : ''}`,
  );

  for (const [variant, rows] of Object.entries(r.latency ?? {})) {
    out.push('', `Transition latency, one bead at a time (${variant} server), ms p50 / p95 / p99, and where it goes (p50 ms)`);
    out.push(
      renderTable(
        ['DAG', 'runner', 'transition', 'report', 'wft wait', 'wft queue', 'wft run', 'dispatch', 'events/bead', 'WFTs/bead'],
        rows.map((l) => {
          const g = l.breakdown.gapsMs;
          return [
            l.dag,
            l.runner,
            ms(l.transitionMs),
            n(g.report.p50),
            n(g['wft-wait'].p50),
            n(g['wft-queue'].p50),
            n(g['wft-run'].p50),
            n(g.dispatch.p50),
            n(l.breakdown.eventsPerBead, 0),
            n(l.breakdown.workflowTasksPerBead, 1),
          ];
        }),
      ),
    );
  }
  for (const [variant, c] of Object.entries(r.compare ?? {})) {
    out.push('', `Interpreter vs hand-written (${variant} server): ${c.beadsPerRunner} beads per runner, ${c.concurrency} in flight`);
    out.push(
      renderTable(
        ['DAG', 'runner', 'wall', 'turns/s', '× hand', 'transition ms p50/p95/p99', 'CPU ms/turn srv+wkr', 'events/bead', 'history KB'],
        c.runs.map((x) => {
          const ratio = c.ratios.find((q) => q.dag === x.dag)?.vsHand[x.runner] ?? NaN;
          const p = c.profiles.find((q) => q.dag === x.dag && q.runner === x.runner);
          return [
            x.dag,
            x.runner,
            sec(x.wallMs),
            n(x.turnsPerSecond),
            n(ratio, 2),
            ms(x.transitionMs),
            `${n(x.cpuMsPerTurn.server)}+${n(x.cpuMsPerTurn.worker)}`,
            n(p?.eventsPerBead ?? NaN, 0),
            n((p?.historyBytesPerBead ?? NaN) / 1024),
          ];
        }),
      ),
    );
    const differ = c.equivalence.filter((e) => !e.identical);
    out.push(
      differ.length
        ? `turn inputs DIFFER: ${differ.map((e) => `${e.dag}: ${e.difference}`).join('; ')}`
        : 'turn inputs identical (interpreter vs hand-written) on every DAG',
    );
  }
  if (r.throughput?.length) {
    out.push('', 'Throughput under load (linear DAG)');
    out.push(
      renderTable(
        ['runner', 'in flight', 'beads', 'turns/s steady', 'turns/s overall', 'transition ms p50/p95/p99', 'CPU ms/turn srv+wkr'],
        r.throughput.map((t) => [
          t.runner,
          String(t.concurrency),
          String(t.beads),
          n(t.steadyTurnsPerSecond),
          n(t.overallTurnsPerSecond),
          ms(t.transitionMs),
          `${n(t.cpuMsPerTurn.server)}+${n(t.cpuMsPerTurn.worker)}`,
        ]),
      ),
    );
  }
  if (r.llm) {
    const m = r.llm;
    out.push(
      '',
      `Model agents: ${m.beads} turns of ${m.modelCallsPerTurn} model calls and ${m.toolCallsPerTurn} tool calls, a local model that answers at once`,
    );
    out.push(
      renderTable(
        ['', 'ms per model call p50/p95/p99'],
        [
          ['direct (baseline)', ms(m.directCallMs)],
          ['through agentLoop (+ its tool call)', ms(m.loopStepMs)],
          ['overhead per call (p50)', n(m.overheadPerCallMs)],
        ],
      ),
    );
  }
  if (r.git) {
    const g = r.git;
    out.push('', `Git transport: ${g.turns} turns alternating between two hosts' clones, a local bare remote`);
    out.push(
      renderTable(
        ['', 'ms per turn p50/p95/p99'],
        [
          ['prepare from the recorded commit + commit + leased push', ms(g.transportMs)],
          ['edit + commit in one kept worktree (baseline)', ms(g.baselineMs)],
          ['extra per turn (p50)', n(g.overheadP50Ms)],
        ],
      ),
    );
  }
  if (r.lock) {
    const l = r.lock;
    out.push('', `Commit lock: ${l.beads} beads, one repository, no-op commits`);
    out.push(
      renderTable(
        ['', 'wall', 'commits/s', 'hand-off ms p50/p95/p99', 'bead ms p50/p95'],
        [
          [
            'with the lock',
            sec(l.withLock.wallMs),
            n(l.withLock.grantsPerSecond),
            ms(l.withLock.handoffMs),
            `${n(l.withLock.beadMs.p50, 0)} / ${n(l.withLock.beadMs.p95, 0)}`,
          ],
          [
            'without (baseline)',
            sec(l.withoutLock.wallMs),
            n(l.withoutLock.commitsPerSecond),
            '-',
            `${n(l.withoutLock.beadMs.p50, 0)} / ${n(l.withoutLock.beadMs.p95, 0)}`,
          ],
        ],
      ),
    );
    const parts = l.withLock.handoffPartsMs;
    if (parts) {
      out.push(
        'Where a hand-off goes (ms p50 / p95): ' +
          Object.entries(parts)
            .map(([k, v]) => `${k} ${n(v.p50)} / ${n(v.p95)}`)
            .join(', '),
      );
    }
  }
  if (r.scale?.length) {
    const first = r.scale[0];
    out.push('', `Scale: ${first.parked.toLocaleString('en-US')} beads parked at a human approval (sticky cache ${first.cacheSize})`);
    out.push(
      renderTable(
        [
          'runner',
          'start all',
          'all parked',
          'worker RSS idle → parked',
          'worker heap',
          'server RSS idle → parked',
          'signal all',
          'approve → all complete',
        ],
        r.scale.map((s) => [
          s.runner,
          sec(s.startMs),
          sec(s.parkedMs),
          `${mb(s.idle.workerRssBytes)} → ${mb(s.whileParked.workerRssBytes)}`,
          mb(s.whileParked.workerHeapUsedBytes),
          `${mb(s.idle.serverRssBytes)} → ${mb(s.whileParked.serverRssBytes)}`,
          sec(s.signalMs),
          sec(s.approveToCompleteMs),
        ]),
      ),
    );
  }
  if (r.load.length) {
    const loads = r.load.map((l) => l.loadAverage1m);
    out.push(
      '',
      `Load average (1 min): ${loads[0].toFixed(1)} at the start, at most ${Math.max(...loads).toFixed(1)} between sections (this benchmark keeps about 2 busy; more means other work shared the ${r.machine.cores} cores)`,
    );
  }
  if (r.workerStarts?.length) {
    out.push(
      '',
      'Worker start (spawn → every worker polling; of which bundle + create): ' +
        r.workerStarts.map((w) => `${w.section} ${sec(w.startToPollMs)} (${sec(w.createMs)})`).join(', '),
    );
  }
  const goals = checkGoals(r);
  if (goals.length) out.push('', 'Goals (issue 15)', renderGoals(goals));
  return out.join('\n');
}
