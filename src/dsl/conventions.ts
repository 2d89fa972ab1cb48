/** Engine conventions shared by the loader and the pure checks. Pure TS. */
import type { NodeType } from './types';

/** Every commit runs as the Engineering Manager, whatever the YAML says (Loom did the same). */
export const COMMIT_ROLE = 'Engineering Manager';

/** Nodes that only steer the run: no agent turn, so no role and no failure of their own. */
export const CONTROL_NODE_TYPES: readonly NodeType[] = ['parallel', 'merge'];

/** Conditions that count as handling a failed node (an explicit escalation is a decision too). */
export const FAILURE_HANDLERS = ['failure', 'escalated'] as const;
