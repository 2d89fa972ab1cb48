/** The beads the benchmark runs: its definitions, inputs, and how each variant is started. */
import * as path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { startBeadRun } from '../src/client/start';
import { formatFinding, hasErrors, loadDefinitionFile } from '../src/dsl';
import type { ResolvedDefinition } from '../src/dsl/types';
import type { BeadInput, Scenario } from '../src/shared/bead';
import { BEAD_ID, BEAD_STATUS, BEAD_TYPE } from '../src/shared/search-attributes';
import type { Extras } from './workflows/extras';
import type { HandWrittenInput } from './workflows/hand-written';

export type DagName = 'linear' | 'approval-loop';
/**
 * `interpreter` = beadWorkflow; `hand-written` = the floor; then the floor plus, cumulatively,
 * what beadWorkflow does around each turn: `+visibility` (search-attribute upserts), `+timers`
 * (deadline timers), `+ledger` (ledger activities). interpreter − `+ledger` = the interpreter itself.
 */
export const RUNNERS = ['interpreter', 'hand-written', '+visibility', '+timers', '+ledger'] as const;
export type Runner = (typeof RUNNERS)[number];

const EXTRAS: Record<Exclude<Runner, 'interpreter'>, Extras> = {
  'hand-written': {},
  '+visibility': { visibility: true },
  '+timers': { visibility: true, timers: true },
  '+ledger': { visibility: true, timers: true, ledger: true },
};

export interface Dag {
  name: DagName;
  definition: ResolvedDefinition;
  scenario?: Scenario;
  /** Agent turns one bead runs. */
  turns: number;
  handWorkflow: 'handLinear' | 'handApprovalLoop';
}

export function loadBenchDefinition(file: string): ResolvedDefinition {
  const full = path.join(__dirname, 'definitions', file);
  const { definition, findings } = loadDefinitionFile(full);
  if (!definition || hasErrors(findings))
    throw new Error(`benchmark definition ${full} has errors:\n${findings.map(formatFinding).join('\n')}`);
  return definition;
}

export function benchDags(): Dag[] {
  return [
    { name: 'linear', definition: loadBenchDefinition('linear5.yaml'), turns: 5, handWorkflow: 'handLinear' },
    {
      name: 'approval-loop',
      definition: loadBenchDefinition('approval-loop.yaml'),
      scenario: { review: ['rejected', 'approved'] },
      turns: 6,
      handWorkflow: 'handApprovalLoop',
    },
  ];
}

export function beadInput(id: string, definition: ResolvedDefinition, roleQueuePrefix: string, scenario?: Scenario): BeadInput {
  return {
    bead: {
      id,
      title: 'benchmark bead',
      type: definition.workflowType,
      description: 'measures the engine',
      priority: 'P2',
      labels: ['bench'],
      scenario,
    },
    definition,
    options: { roleQueuePrefix },
  };
}

/** Starts one run. Every runner gets the same start options, so only the workflow code differs. */
export async function startRun(client: Client, runner: Runner, dag: Dag, input: BeadInput, taskQueue: string): Promise<WorkflowHandle> {
  if (runner === 'interpreter') return startBeadRun(client, input, taskQueue);
  return client.workflow.start(dag.handWorkflow, {
    workflowId: input.bead.id,
    taskQueue,
    args: [{ ...input, extras: EXTRAS[runner] } satisfies HandWrittenInput],
    typedSearchAttributes: [
      { key: BEAD_ID, value: input.bead.id },
      { key: BEAD_TYPE, value: input.bead.type },
      { key: BEAD_STATUS, value: 'running' },
    ],
    memo: { title: input.bead.title, definitionId: input.definition.id },
  });
}
