// The benchmark worker's workflow bundle: every workflow production bundles (beadWorkflow and the
// workflows it starts: ledger catch-up, commit lock), plus the hand-written equivalents it is
// measured against. Workflow code only (deterministic sandbox).
export * from '../../src/workflows';
export { handApprovalLoop, handLinear, handParked } from './hand-written';
export { handCommit } from './hand-commit';
