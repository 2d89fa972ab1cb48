-- The tables keep Loom's names, so Loom's own queries and tools read this ledger unchanged, but
-- there `workflow_id` and the `workflows` table mean a definition, while in Temporal the workflow
-- id of a bead's run is the bead id. These views give the same rows beadflow's names.
COMMENT ON TABLE workflows IS 'definitions that beads ran (Loom''s name); view: definitions';
COMMENT ON COLUMN workflow_nodes.workflow_id IS 'definition id (Loom''s name)';
COMMENT ON COLUMN workflow_edges.workflow_id IS 'definition id (Loom''s name)';
COMMENT ON COLUMN workflow_executions.workflow_id IS 'definition id (Loom''s name); Temporal''s workflow id of the run is bead_id';

CREATE VIEW definitions AS
  SELECT id, name, description, workflow_type, is_default, definition_hash, definition, created_at, updated_at FROM workflows;

CREATE VIEW definition_nodes AS
  SELECT workflow_id AS definition_id, node_key, node_type, role_required, persona_hint, max_attempts, timeout_minutes, instructions, metadata
  FROM workflow_nodes;

CREATE VIEW definition_edges AS
  SELECT workflow_id AS definition_id, position, from_node_key, to_node_key, condition, priority FROM workflow_edges;

CREATE VIEW executions AS
  SELECT id, bead_id, workflow_id AS definition_id, run_id, status, current_node_key, cycle_count, node_attempt_count, dispatch_count,
    last_seq, started_at, completed_at, escalated_at, escalation_reason, end_reason
  FROM workflow_executions;
