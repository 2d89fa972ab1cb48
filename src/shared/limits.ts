/**
 * Bounds on everything that enters a bead from outside: signal and Update payloads, bead fields,
 * agent answers. Checked where the value enters (validators, the workflow entry, the CLI, the web
 * API, agent answers); documented in docs/limits.md. Temporal refuses payloads over 2 MiB and
 * blobs over 4 MiB with a terminated run, so every limit keeps a bead far below that.
 */
export const LIMITS = {
  /** `by` of a decision, override or cancel. */
  byChars: 200,
  /** `reason` of a decision, override or cancel (16 KiB). */
  reasonChars: 16 * 1024,
  /** `node` and `requestId`. */
  keyChars: 200,
  /** Bead title. */
  titleChars: 500,
  /** Bead description (64 KiB). */
  descriptionChars: 64 * 1024,
  /** One label; and how many labels. */
  labelChars: 100,
  labels: 50,
  /** An agent's summary as kept in the bead's history (longer ones are cut, not refused). */
  summaryChars: 8 * 1024,
  /** An agent's answer line (JSON) before it is parsed: over this it is MalformedAgentResult. */
  answerChars: 256 * 1024,
  /** Any one activity input, query answer or continue-as-new input: checked before it is sent. */
  payloadBytes: 1024 * 1024,
  /** One tool result a model sees (64 KiB); longer ones are cut with a note. */
  toolResultChars: 64 * 1024,
  /** A model turn's transcript (what each model call sends): beyond it the turn ends as failure. */
  transcriptBytes: 768 * 1024,
} as const;

export type LimitName = keyof typeof LIMITS;
