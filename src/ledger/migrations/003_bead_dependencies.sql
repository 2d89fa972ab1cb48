-- Beads a bead waits for (bd's "blocks" dependencies, follow-ups' parents are not among them):
-- the backlog loop starts a bead only when every bead listed here is closed.
ALTER TABLE beads ADD COLUMN depends_on TEXT[] NOT NULL DEFAULT '{}';
