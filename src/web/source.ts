/**
 * What the web API needs from Temporal, as one narrow interface: the handlers are tested against a
 * fake, and `temporalSource` (temporal-source.ts) is the real thing over a Temporal client.
 */
import type { DecisionAnswer } from '../client/beads';
import type { StatusAnswer } from '../client/status';
import type { ResolvedDefinition } from '../dsl/types';
import type { DecisionPayload, OverridePayload } from '../workflows/messages';

export interface BeadListFilter {
  status?: string;
  /** Role as a person writes it ("QA Engineer"); compared as its slug, as the workflow publishes it. */
  role?: string;
  type?: string;
  priority?: string;
  /** Matched against the bead id and title (case-insensitive). */
  text?: string;
  active?: boolean;
}

export interface BeadSummary {
  beadId: string;
  runId: string;
  title: string;
  type: string;
  priority: string;
  status: string;
  executionStatus: string;
  currentNode: string;
  /** Role slug published in the RequiredRole search attribute ("" when nobody must act). */
  requiredRole: string;
  definitionId: string;
  startTime: string;
  closeTime?: string;
}

export interface BeadPage {
  beads: BeadSummary[];
  /** Pass back as `?nextPageToken=` for the next page; absent on the last page. */
  nextPageToken?: string;
}

export type Decision = { kind: 'approve' | 'reject'; payload: DecisionPayload } | { kind: 'override'; payload: OverridePayload };

export interface BeadDetail {
  status: StatusAnswer;
  /** The definition the run is pinned to (from its start input), else the catalog's by id. */
  definition?: ResolvedDefinition;
  definitionSource: 'run-input' | 'catalog' | 'none';
  priority: string;
}

export interface BeadSource {
  list(filter: BeadListFilter, pageSize: number, nextPageToken?: string): Promise<BeadPage>;
  /** undefined = no such bead. */
  detail(beadId: string): Promise<BeadDetail | undefined>;
  decide(beadId: string, decision: Decision): Promise<DecisionAnswer>;
}

/** The refusal a decision Update came back with: the validator's reason. */
export class DecisionRefusedError extends Error {
  constructor(
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(reason);
    this.name = 'DecisionRefusedError';
  }
}
