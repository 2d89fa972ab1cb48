#!/bin/sh
# One-shot (docker-compose.yml `temporal-schema`, image temporalio/admin-tools): creates Temporal's
# two databases and their schemas, then applies every newer schema version. Rerunnable: each step
# is a no-op when already done, so a server upgrade upgrades the schema on the next `up`.
# Same steps as `beadflow server --cluster` (src/temporal/cluster-server.ts, prepareDatabase).
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) is not set}"
: "${POSTGRES_USER:?POSTGRES_USER is not set}"
: "${SQL_PASSWORD:?SQL_PASSWORD (the PostgreSQL password) is not set}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="$SCHEMA_DIR/${pair#*:}/versioned"
  [ -d "$dir" ] || { echo "schema directory $dir is missing (is this temporalio/admin-tools?)" >&2; exit 1; }
  echo "database $db: create, setup-schema 0.0, update-schema $dir"
  tool --db "$db" create-database
  tool --db "$db" setup-schema -v 0.0
  tool --db "$db" update-schema -d "$dir"
done
echo "Temporal schemas are up to date"
