// Workflow entry points bundled by the worker. Workflow code only: no I/O (see ARCHITECTURE.md).
export { beadWorkflow } from './bead';
export { ledgerCatchUp } from './ledger-catch-up';
export { commitLock } from './commit-lock';
export { agentLoop } from './agent-loop';
