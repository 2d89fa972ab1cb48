/** A resolved definition's rows: `workflows`, `workflow_nodes`, `workflow_edges` (Loom's columns). */
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { ResolvedDefinition } from '../dsl/types';
import { jsonParam } from './sql';

/** Stable across machines: the file it was loaded from does not count. */
export function definitionHash(def: ResolvedDefinition): string {
  const { source: _source, ...rest } = def;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Inserts or replaces the definition's rows; a no-op when the stored hash matches. Returns whether it wrote. */
export async function upsertDefinition(client: PoolClient, def: ResolvedDefinition): Promise<boolean> {
  const hash = definitionHash(def);
  const { rows } = await client.query<{ definition_hash: string }>('SELECT definition_hash FROM workflows WHERE id = $1', [def.id]);
  if (rows[0]?.definition_hash === hash) return false;
  const { source: _source, ...stored } = def;
  await client.query(
    `INSERT INTO workflows (id, name, description, workflow_type, is_default, definition_hash, definition)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, workflow_type = EXCLUDED.workflow_type,
       is_default = EXCLUDED.is_default, definition_hash = EXCLUDED.definition_hash, definition = EXCLUDED.definition, updated_at = now()`,
    [def.id, def.name, def.description, def.workflowType, def.isDefault, hash, jsonParam(stored)],
  );
  await client.query('DELETE FROM workflow_nodes WHERE workflow_id = $1', [def.id]);
  await client.query('DELETE FROM workflow_edges WHERE workflow_id = $1', [def.id]);
  const nodes = def.nodes.map((n) => ({
    node_key: n.key,
    node_type: n.type,
    role_required: n.role,
    persona_hint: n.personaHint ?? null,
    max_attempts: n.maxAttempts,
    timeout_minutes: n.timeoutMs / 60_000,
    instructions: n.instructions,
    metadata: n.metadata ?? {},
  }));
  await client.query(
    `INSERT INTO workflow_nodes (workflow_id, node_key, node_type, role_required, persona_hint, max_attempts, timeout_minutes, instructions, metadata)
     SELECT $1, n.node_key, n.node_type, n.role_required, n.persona_hint, n.max_attempts, n.timeout_minutes, n.instructions, n.metadata
     FROM jsonb_to_recordset($2::jsonb) AS n(node_key text, node_type text, role_required text, persona_hint text, max_attempts int,
       timeout_minutes numeric, instructions text, metadata jsonb)`,
    [def.id, jsonParam(nodes)],
  );
  const edges = def.edges.map((e, position) => ({
    position,
    from_node_key: e.from,
    to_node_key: e.to,
    condition: e.condition,
    priority: e.priority,
  }));
  await client.query(
    `INSERT INTO workflow_edges (workflow_id, position, from_node_key, to_node_key, condition, priority)
     SELECT $1, e.position, e.from_node_key, e.to_node_key, e.condition, e.priority
     FROM jsonb_to_recordset($2::jsonb) AS e(position int, from_node_key text, to_node_key text, condition text, priority int)`,
    [def.id, jsonParam(edges)],
  );
  return true;
}
