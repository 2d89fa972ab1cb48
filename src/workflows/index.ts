// Workflow entry points bundled by the worker. Workflow code only: no I/O (see ARCHITECTURE.md).
export { beadWorkflow } from './bead';
