export { Interpreter, MAIN, initialState } from './interpreter';
export { historySummary } from './history';
export { buildTurnInput } from './turn-input';
export * from './routing';
export * from './types';
