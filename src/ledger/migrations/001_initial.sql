-- The ledger: a durable record of every bead and every move, kept after Temporal's retention
-- ends. Column names follow Loom's (bead_id, workflow_id, node_key, current_node_key,
-- cycle_count, node_attempt_count, dispatch_count, escalated_at, ...) so its monitoring
-- queries carry over. Times are timestamptz; priorities are 0 (P0) to 4 (P4).

CREATE TABLE beads (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  type        TEXT NOT NULL DEFAULT '',
  -- open, in_progress, in_review, blocked, closed
  status      TEXT NOT NULL DEFAULT 'open',
  priority    SMALLINT NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
  labels      TEXT[] NOT NULL DEFAULT '{}',
  parent_id   TEXT,
  -- where the row came from: cli (bead create), run (bead start / a workflow), bd (bead import)
  source      TEXT NOT NULL DEFAULT 'cli',
  metadata    JSONB NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  closed_at   TIMESTAMPTZ
);
-- The backlog loop's order: priority, then status, then age, over beads not closed.
CREATE INDEX beads_backlog_idx ON beads (priority, created_at) WHERE status <> 'closed';

CREATE TABLE workflows (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL DEFAULT '',
  description     TEXT NOT NULL DEFAULT '',
  workflow_type   TEXT NOT NULL DEFAULT '',
  is_default      BOOLEAN NOT NULL DEFAULT false,
  -- sha-256 of the resolved definition: a changed definition replaces its nodes and edges
  definition_hash TEXT NOT NULL DEFAULT '',
  definition      JSONB,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE workflow_nodes (
  workflow_id     TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  node_key        TEXT NOT NULL,
  node_type       TEXT NOT NULL,
  role_required   TEXT NOT NULL DEFAULT '',
  persona_hint    TEXT,
  max_attempts    INTEGER NOT NULL DEFAULT 0,
  timeout_minutes NUMERIC NOT NULL DEFAULT 0,
  instructions    TEXT NOT NULL DEFAULT '',
  metadata        JSONB NOT NULL DEFAULT '{}',
  PRIMARY KEY (workflow_id, node_key)
);

CREATE TABLE workflow_edges (
  workflow_id   TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  -- position in the definition's edge list
  position      INTEGER NOT NULL,
  from_node_key TEXT NOT NULL DEFAULT '',
  to_node_key   TEXT NOT NULL DEFAULT '',
  condition     TEXT NOT NULL,
  priority      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workflow_id, position)
);

CREATE TABLE workflow_executions (
  -- Temporal's first run id of the bead's execution chain: stable across continue-as-new
  id                 TEXT PRIMARY KEY,
  bead_id            TEXT NOT NULL REFERENCES beads (id),
  workflow_id        TEXT NOT NULL REFERENCES workflows (id),
  -- the latest Temporal run of the chain
  run_id             TEXT NOT NULL DEFAULT '',
  -- running, waiting_approval, escalated, completed, failed, aborted
  status             TEXT NOT NULL,
  current_node_key   TEXT NOT NULL DEFAULT '',
  cycle_count        INTEGER NOT NULL DEFAULT 0,
  node_attempt_count INTEGER NOT NULL DEFAULT 0,
  dispatch_count     INTEGER NOT NULL DEFAULT 0,
  -- highest history seq this snapshot reflects: a late or retried write never moves a row back
  last_seq           INTEGER NOT NULL DEFAULT 0,
  started_at         TIMESTAMPTZ NOT NULL,
  completed_at       TIMESTAMPTZ,
  escalated_at       TIMESTAMPTZ,
  escalation_reason  TEXT,
  end_reason         TEXT,
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX workflow_executions_bead_idx ON workflow_executions (bead_id);
CREATE INDEX workflow_executions_open_idx ON workflow_executions (status) WHERE completed_at IS NULL;

CREATE TABLE workflow_execution_history (
  execution_id    TEXT NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
  -- the interpreter's HistoryEntry.seq: monotonic per bead, survives continue-as-new
  seq             INTEGER NOT NULL,
  bead_id         TEXT NOT NULL,
  -- turn, decision, ignored, move, retry, timeout, escalation, override, fork, join, note
  kind            TEXT NOT NULL,
  node_key        TEXT NOT NULL DEFAULT '',
  role            TEXT,
  -- the agent, the approver or the CEO
  agent_id        TEXT,
  outcome         TEXT,
  -- condition of the edge taken (kind move), and where it led
  condition       TEXT,
  to_node_key     TEXT,
  attempt_number  INTEGER,
  dispatch_number INTEGER,
  branch          TEXT,
  summary         TEXT NOT NULL DEFAULT '',
  -- the whole history entry as the workflow recorded it
  result_data     JSONB NOT NULL,
  started_at      TIMESTAMPTZ,
  completed_at    TIMESTAMPTZ NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (execution_id, seq)
);
CREATE INDEX workflow_execution_history_bead_idx ON workflow_execution_history (bead_id, completed_at);
