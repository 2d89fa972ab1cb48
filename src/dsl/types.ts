/**
 * The resolved definition: what the client hands to `beadWorkflow` after parsing and
 * validating YAML. Plain JSON (no classes, no functions) so it travels as workflow input and a
 * run stays pinned to the definition it started with. Every default is already applied here.
 */
import type { Guard } from './guard';

export const CONDITIONS = ['success', 'failure', 'approved', 'rejected', 'timeout', 'escalated'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const NODE_TYPES = ['task', 'approval', 'commit', 'verify', 'parallel', 'merge', 'subworkflow'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** What a commit node does when the bead's work conflicts with the target. */
export const ON_CONFLICT = ['fail', 'resolve'] as const;

export type ApprovalMode = 'human' | 'agent' | 'any';

export interface RetryPolicy {
  initialMs: number;
  coefficient: number;
  maxMs: number;
}

export interface ResolvedNode {
  key: string;
  type: NodeType;
  /** Role as written (e.g. "QA Engineer"); commit nodes are forced to Engineering Manager. */
  role: string;
  personaHint?: string;
  instructions: string;
  /** 0 = unlimited (Loom's convention). */
  maxAttempts: number;
  /** Whole-node deadline covering every attempt and dispatch; 0 = none. */
  timeoutMs: number;
  retry: RetryPolicy;
  maxCycles: number;
  maxDispatches: number;
  /** Agent turns: how long a turn may wait for a worker of the role (schedule-to-start); 0 = forever. Absent in definitions resolved before it existed. */
  roleWaitMs?: number;
  approval?: { approvers: string[]; mode: ApprovalMode };
  verify?: { command: string[] };
  /** Model agents: tool calls and tokens per turn. Absent in definitions resolved before they existed. */
  maxToolCalls?: number;
  maxTokens?: number;
  /** Model agents: argv of run_tests. */
  testCommand?: string[];
  /** Commit nodes: lock lease. */
  leaseMs?: number;
  /** Commit nodes with `on_conflict: resolve`: who resolves a conflict and how many failed resolutions escalate. Absent = a conflict fails the node. */
  onConflict?: { role: string; maxResolutions: number };
  /** Merge nodes: which fork they join and whether all branches or the first must arrive. */
  merge?: { fork: string; wait: 'all' | 'first' };
  /** Subworkflow nodes: the id of the definition run as a child bead. */
  subworkflow?: { definition: string };
  metadata: Record<string, unknown>;
  /** `when:` (the step format's `condition:`): false skips the node as if it succeeded. */
  guard?: Guard;
}

export interface ResolvedEdge {
  from: string; // "" = start
  to: string; // "" = end
  condition: Condition;
  priority: number;
}

export interface MatchCriteria {
  labels: string[];
  titleKeywords: string[];
  priority: number;
}

export interface ResolvedDefinition {
  id: string;
  name: string;
  description: string;
  workflowType: string;
  isDefault: boolean;
  nodes: ResolvedNode[];
  edges: ResolvedEdge[];
  /** Node transitions (edges taken) a bead may make in total before it escalates. */
  maxHops: number;
  /** What `max_cycles` counts: re-entries of each node (`node`), or of all nodes together (`global`). */
  cycleScope?: 'node' | 'global';
  /** Start a P0 "CEO decision" child bead when the run escalates. */
  escalation: { childBead: boolean };
  match?: MatchCriteria;
  /** Child definitions of subworkflow nodes (all levels), pinned when the root bead starts: the run never reads files. */
  subworkflows?: Record<string, ResolvedDefinition>;
  /** Where it was loaded from, for messages only. */
  source?: string;
}

export const DEFAULTS = {
  maxAttempts: 3,
  maxCycles: 3,
  maxDispatches: 5,
  maxHops: 100,
  retry: { initialMs: 1_000, coefficient: 2, maxMs: 60_000 } satisfies RetryPolicy,
  leaseMs: 5 * 60_000,
  roleWaitMs: 60 * 60_000,
  maxToolCalls: 50,
  maxTokens: 500_000,
  integrationRole: 'Software Engineer',
  maxResolutions: 2,
} as const;
