export { Interpreter, MAIN, OVERRIDE_DUE, initialState } from './interpreter';
export type { InterpreterRules, RunSummary } from './interpreter';
export { historySummary } from './history';
export { buildTurnInput } from './turn-input';
export * from './routing';
export * from './types';
