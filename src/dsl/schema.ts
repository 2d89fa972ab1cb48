/**
 * The raw definition format as written in YAML: Loom's keys (native) plus beadflow's extensions.
 * Defaults are applied later in resolve.ts (a node value beats `defaults:`, which beats the
 * engine's), so here every optional key stays optional and only documents its default.
 * definitions/schema.json is generated from this (scripts/generate-schema.ts).
 */
import { z } from 'zod';
import { CONDITIONS, DEFAULTS, NODE_TYPES, ON_CONFLICT } from './types';
import { DURATION_PATTERN } from './duration';

const duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN))
  .meta({ description: 'A duration: 90s, 5m, 1h30m, 2d, 250ms, or 0 for none.' });

const count = (min: number, description: string, fallback: number) => z.number().int().min(min).meta({ description, default: fallback });

export const retrySchema = z
  .object({
    initial: duration.meta({ description: 'Delay before the second attempt.', default: '1s' }).optional(),
    coefficient: z.number().min(1).meta({ description: 'Each delay is the previous one times this.', default: 2 }).optional(),
    max: duration.meta({ description: 'Longest delay between attempts.', default: '1m' }).optional(),
  })
  .meta({ description: 'Backoff between failed attempts of a node.' });

/** Settings a node may carry and the top-level `defaults:` block may set for every node. */
export const nodeSettingsShape = {
  max_attempts: count(0, 'Attempts per visit before the failure route is taken; 0 = unlimited.', DEFAULTS.maxAttempts).optional(),
  timeout_minutes: z.number().min(0).meta({ description: "Loom's node deadline in minutes; 0 = none. `timeout` wins." }).optional(),
  timeout: duration.meta({ description: 'Node deadline covering every attempt, e.g. 90m; wins over timeout_minutes.' }).optional(),
  retry: retrySchema.optional(),
  max_cycles: count(1, 'Times a loop may bring the bead back to this node before it escalates.', DEFAULTS.maxCycles).optional(),
  max_dispatches: count(
    1,
    'Agent turns this node may dispatch (attempts and redispatches) before it escalates.',
    DEFAULTS.maxDispatches,
  ).optional(),
  role_wait: duration
    .meta({
      description:
        "How long a turn may wait for a worker of the node's role before the node times out (timeout edge) or escalates with reason no_worker_for_role; 0 = forever.",
      default: '1h',
    })
    .optional(),
  max_tool_calls: count(1, 'Model agents: tool calls one turn may make before it ends as failure.', DEFAULTS.maxToolCalls).optional(),
  max_tokens: count(
    1,
    "Model agents: tokens (the API's usage, input + output) one turn may spend before it ends as failure.",
    DEFAULTS.maxTokens,
  ).optional(),
  test_command: z
    .array(z.string().min(1))
    .min(1)
    .meta({ description: "Model agents: argv of the run_tests tool, run in the bead's worktree without a shell, e.g. [npm, test]." })
    .optional(),
  lease: duration.meta({ description: 'Commit nodes: how long the repository lock is held before it expires.', default: '5m' }).optional(),
  on_conflict: z
    .enum(ON_CONFLICT)
    .meta({
      description:
        "Commit nodes: what a conflict with the target does. fail = the node fails naming the files; resolve = a turn of integration_role resolves it in the bead's worktree and the commit is retried.",
      default: 'fail',
    })
    .optional(),
  integration_role: z
    .string()
    .min(1)
    .meta({
      description: 'Commit nodes with on_conflict: resolve: the role whose agent resolves conflicts.',
      default: DEFAULTS.integrationRole,
    })
    .optional(),
  max_resolutions: count(
    1,
    'Commit nodes with on_conflict: resolve: failed resolution turns before the bead escalates naming the conflicted files.',
    DEFAULTS.maxResolutions,
  ).optional(),
};

const nodeSettingsSchema = z.object(nodeSettingsShape);

export const approvalSchema = z
  .object({
    approvers: z
      .array(z.string().min(1))
      .meta({ description: 'Roles or people who may decide; [] = anyone. Default: the node role.' })
      .optional(),
    mode: z
      .enum(['human', 'agent', 'any'])
      .meta({ description: 'human = a signal, agent = an agent of the role, any = whichever comes first.', default: 'any' })
      .optional(),
  })
  .meta({ description: 'Approval nodes: who decides and how.' });

export const verifySchema = z
  .object({ command: z.array(z.string()).min(1).meta({ description: 'argv run in the bead worktree; exit 0 = approved.' }) })
  .meta({ description: 'Verify nodes: a command to run instead of (or before) an agent turn.' });

export const mergeSchema = z
  .object({
    fork: z.string().min(1).meta({ description: 'node_key of the parallel node whose branches this joins.' }),
    wait: z.enum(['all', 'first']).meta({ description: 'Continue when all branches arrive, or the first.', default: 'all' }).optional(),
  })
  .meta({ description: 'Merge nodes: the fork they join.' });

export const subworkflowSchema = z
  .object({ definition: z.string().min(1).meta({ description: 'id of the definition run as a child bead.' }) })
  .meta({ description: "Subworkflow nodes: the definition run as a child bead; its end is the node's outcome (completed = success)." });

export const nodeSchema = z.object({
  node_key: z.string().min(1).meta({ description: 'Unique name of the node; edges refer to it.' }),
  node_type: z
    .enum(NODE_TYPES)
    .meta({ description: 'task | approval | commit | verify | parallel (fork) | merge (join) | subworkflow (a child bead).' }),
  role_required: z
    .string()
    .min(1)
    .meta({ description: 'Role whose agents run the node, e.g. "QA Engineer". Commit nodes always run as Engineering Manager.' })
    .optional(),
  persona_hint: z.string().meta({ description: 'Persona the agent should take, e.g. default/qa-engineer.' }).optional(),
  instructions: z.string().meta({ description: 'What the agent (or approver) is asked to do.' }).optional(),
  metadata: z.record(z.string(), z.unknown()).meta({ description: 'Free-form data passed through to the node.' }).optional(),
  when: z
    .string()
    .max(1000)
    .meta({
      description:
        "Guard: run the node only when this holds, e.g. \"review.status == 'success' && task.type == 'bug'\"; false skips it as if it succeeded. Reads <node>.status, task.<field>, variables.<name> (metadata.variables).",
    })
    .optional(),
  ...nodeSettingsShape,
  approval: approvalSchema.optional(),
  verify: verifySchema.optional(),
  merge: mergeSchema.optional(),
  subworkflow: subworkflowSchema.optional(),
});

export const edgeSchema = z.object({
  from_node_key: z.string().meta({ description: 'Source node; "" = the start.' }),
  to_node_key: z.string().meta({ description: 'Target node; "" = the end.' }),
  condition: z.enum(CONDITIONS).meta({ description: 'Outcome of the source node that takes this edge.', default: 'success' }).optional(),
  priority: z.number().int().meta({ description: 'Among matching edges the highest wins.', default: 0 }).optional(),
});

export const matchCriteriaSchema = z
  .object({
    labels: z.array(z.string().min(1)).meta({ description: 'Bead labels that select this definition.' }).optional(),
    title_keywords: z.array(z.string().min(1)).meta({ description: 'Whole words or phrases of a bead title that select it.' }).optional(),
    priority: z.number().int().meta({ description: 'Higher is tried first.' }).optional(),
  })
  .meta({ description: 'How beads without an explicit type pick this definition.' });

export const definitionSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().min(1).meta({ description: 'Unique id; a user definition with the same id replaces a default one.' }),
    name: z.string().meta({ description: 'Display name; defaults to the id.' }).optional(),
    description: z.string().optional(),
    workflow_type: z.string().min(1).meta({ description: 'Bead type that selects it (bead start --type); defaults to the id.' }).optional(),
    is_default: z.boolean().meta({ description: 'Preferred among definitions of the same workflow_type.', default: false }).optional(),
    priority: z.number().int().meta({ description: 'Selection priority when match_criteria has none.' }).optional(),
    match_criteria: matchCriteriaSchema.optional(),
    max_hops: count(1, 'Total node transitions (edges taken) a bead may make before it escalates.', DEFAULTS.maxHops).optional(),
    cycle_scope: z
      .enum(['node', 'global'])
      .meta({ description: 'What max_cycles counts: re-entries of each node, or of all nodes together (Loom).', default: 'node' })
      .optional(),
    defaults: nodeSettingsSchema.meta({ description: 'Settings applied to every node that does not set them.' }).optional(),
    escalation: z
      .object({
        child_bead: z.boolean().meta({ description: 'Open a P0 "CEO decision" child bead on escalation.', default: false }).optional(),
      })
      .optional(),
    nodes: z.array(nodeSchema).min(1),
    edges: z.array(edgeSchema),
  })
  .meta({ title: 'beadflow definition', description: 'A bead workflow: nodes and conditional edges (Loom format plus extensions).' });

export type RawDefinition = z.infer<typeof definitionSchema>;
export type RawNode = z.infer<typeof nodeSchema>;
export type RawEdge = z.infer<typeof edgeSchema>;
export type RawNodeSettings = z.infer<typeof nodeSettingsSchema>;
