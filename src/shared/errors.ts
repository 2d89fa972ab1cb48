/**
 * The error vocabulary shared by client, workers and CLI: one class a person can act on (message
 * plus hint, and a kind the CLI maps to its exit code), and the type names of the failures that
 * cross the workflow/activity boundary. The CLI renders these; `client/` and `workers/` never
 * import CLI code. Pure (no I/O): workflow code imports it too.
 */
import { ApplicationFailure } from '@temporalio/common';

/** Exit codes of `beadflow`, one table (documented in docs/cli.md). */
export const EXIT_CODES = {
  ok: 0,
  /** Failed or refused: invalid definition, refused decision, unknown bead, no Temporal server, bead failed. */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** `bead start --wait --timeout` ran out of time before the bead ended or parked. */
  timeout: 3,
} as const;

export type ErrorKind = Exclude<keyof typeof EXIT_CODES, 'ok'>;

export class BeadflowError extends Error {
  readonly hint?: string;
  readonly kind: ErrorKind;
  constructor(message: string, opts: { hint?: string; kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BeadflowError';
    this.hint = opts.hint;
    this.kind = opts.kind ?? 'failed';
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/**
 * Failure types that travel as ApplicationFailure types: thrown in workflows and activities (through
 * the factories below) and named in retry policies (NON_RETRYABLE), never spelled as strings.
 */
export const ERROR_TYPES = {
  decisionRefused: 'DecisionRefused',
  invalidBeadInput: 'InvalidBeadInput',
  invalidDefinition: 'InvalidDefinition',
  malformedAgentResult: 'MalformedAgentResult',
  agentConfiguration: 'AgentConfigurationError',
  /** The model endpoint is down, overloaded (429/5xx) or unreachable: retried by Temporal. */
  modelUnavailable: 'ModelUnavailable',
  /** The model endpoint refused the request (4xx other than 408/409/429): not retried. */
  modelRequestRefused: 'ModelRequestRefused',
  worktreeMissing: 'WorktreeMissing',
  gitConfiguration: 'GitConfigurationError',
  workspaceUnavailable: 'WorkspaceUnavailable',
  ledgerRejected: 'LedgerRejected',
  beadRefMoved: 'BeadRefMoved',
  beadWorkMissing: 'BeadWorkMissing',
} as const;

export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

/** A failure no retry can fix (bad configuration, bad input): ends the activity or the run at once. */
export function nonRetryableFailure(type: ErrorType, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** A failure worth another try (on this worker or another). */
export function retryableFailure(type: ErrorType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false });
}

/** The `nonRetryableErrorTypes` of each retry policy, next to the types they name. */
export const NON_RETRYABLE = {
  agentTurn: [ERROR_TYPES.malformedAgentResult, ERROR_TYPES.agentConfiguration],
  git: [ERROR_TYPES.gitConfiguration],
  ledger: [ERROR_TYPES.ledgerRejected],
  modelCall: [ERROR_TYPES.modelRequestRefused],
} as const satisfies Record<string, readonly ErrorType[]>;
