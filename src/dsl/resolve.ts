/**
 * Raw (schema-valid) definition → ResolvedDefinition with every default applied, in ms.
 * Precedence for node settings: the node's own value, then the `defaults:` block, then the
 * engine's DEFAULTS. `timeout` beats `timeout_minutes` at the same level.
 */
import { COMMIT_ROLE } from './conventions';
import { parseDuration } from './duration';
import { buildGuard } from './guard';
import type { RawDefinition, RawNode, RawNodeSettings } from './schema';
import { DEFAULTS, type ResolvedDefinition, type ResolvedEdge, type ResolvedNode } from './types';

export function resolveDefinition(raw: RawDefinition, source?: string): ResolvedDefinition {
  const defaults = raw.defaults ?? {};
  const match = raw.match_criteria;
  const def: ResolvedDefinition = {
    id: raw.id,
    name: raw.name ?? raw.id,
    description: raw.description ?? '',
    workflowType: raw.workflow_type ?? raw.id,
    isDefault: raw.is_default ?? false,
    nodes: raw.nodes.map((node) => resolveNode(node, defaults)),
    edges: raw.edges.map((e): ResolvedEdge => ({
      from: e.from_node_key,
      to: e.to_node_key,
      condition: e.condition ?? 'success',
      priority: e.priority ?? 0,
    })),
    maxHops: raw.max_hops ?? DEFAULTS.maxHops,
    ...(raw.cycle_scope === 'global' ? { cycleScope: 'global' as const } : {}),
    escalation: { childBead: raw.escalation?.child_bead ?? false },
  };
  if (match || raw.priority !== undefined) {
    def.match = {
      labels: match?.labels ?? [],
      titleKeywords: match?.title_keywords ?? [],
      priority: match?.priority ?? raw.priority ?? 0,
    };
  }
  if (source !== undefined) def.source = source;
  return def;
}

/** Who runs a verify node's command when the definition names no role. */
export const VERIFY_DEFAULT_ROLE = 'QA Engineer';

function resolveNode(node: RawNode, defaults: RawNodeSettings): ResolvedNode {
  // Commits always run as the Engineering Manager; a verify node that only runs a command gets QA.
  const written = node.role_required?.trim() ?? '';
  const role = node.node_type === 'commit' ? COMMIT_ROLE : written || (node.node_type === 'verify' ? VERIFY_DEFAULT_ROLE : '');
  const resolved: ResolvedNode = {
    key: node.node_key,
    type: node.node_type,
    role,
    instructions: node.instructions ?? '',
    maxAttempts: node.max_attempts ?? defaults.max_attempts ?? DEFAULTS.maxAttempts,
    timeoutMs: timeoutMs(node) ?? timeoutMs(defaults) ?? 0,
    retry: {
      initialMs: ms(node.retry?.initial) ?? ms(defaults.retry?.initial) ?? DEFAULTS.retry.initialMs,
      coefficient: node.retry?.coefficient ?? defaults.retry?.coefficient ?? DEFAULTS.retry.coefficient,
      maxMs: ms(node.retry?.max) ?? ms(defaults.retry?.max) ?? DEFAULTS.retry.maxMs,
    },
    maxCycles: node.max_cycles ?? defaults.max_cycles ?? DEFAULTS.maxCycles,
    maxDispatches: node.max_dispatches ?? defaults.max_dispatches ?? DEFAULTS.maxDispatches,
    roleWaitMs: ms(node.role_wait) ?? ms(defaults.role_wait) ?? DEFAULTS.roleWaitMs,
    maxToolCalls: node.max_tool_calls ?? defaults.max_tool_calls ?? DEFAULTS.maxToolCalls,
    maxTokens: node.max_tokens ?? defaults.max_tokens ?? DEFAULTS.maxTokens,
    metadata: node.metadata ?? {},
  };
  if (node.persona_hint !== undefined) resolved.personaHint = node.persona_hint;
  const testCommand = node.test_command ?? defaults.test_command;
  if (testCommand) resolved.testCommand = [...testCommand];
  if (node.node_type === 'approval') {
    // Loom's approval nodes name the deciding role in role_required; that role is the default approver.
    resolved.approval = {
      approvers: node.approval?.approvers ?? (role ? [role] : []),
      mode: node.approval?.mode ?? 'any',
    };
  }
  if (node.node_type === 'verify' && node.verify) resolved.verify = { command: [...node.verify.command] };
  if (node.node_type === 'commit') {
    resolved.leaseMs = ms(node.lease) ?? ms(defaults.lease) ?? DEFAULTS.leaseMs;
    if ((node.on_conflict ?? defaults.on_conflict) === 'resolve') {
      resolved.onConflict = {
        role: (node.integration_role ?? defaults.integration_role)?.trim() || DEFAULTS.integrationRole,
        maxResolutions: node.max_resolutions ?? defaults.max_resolutions ?? DEFAULTS.maxResolutions,
      };
    }
  }
  if (node.node_type === 'merge' && node.merge) resolved.merge = { fork: node.merge.fork, wait: node.merge.wait ?? 'all' };
  if (node.when !== undefined) resolved.guard = buildGuard(node.when, plainObject(resolved.metadata.variables));
  if (node.node_type === 'subworkflow' && node.subworkflow) resolved.subworkflow = { definition: node.subworkflow.definition };
  return resolved;
}

function plainObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function timeoutMs(settings: RawNodeSettings): number | undefined {
  if (settings.timeout !== undefined) return ms(settings.timeout);
  if (settings.timeout_minutes !== undefined) return Math.round(settings.timeout_minutes * 60_000);
  return undefined;
}

function ms(duration: string | undefined): number | undefined {
  return duration === undefined ? undefined : parseDuration(duration);
}
