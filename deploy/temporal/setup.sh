#!/bin/sh
# One-shot (docker-compose.yml `temporal-setup`, image temporalio/admin-tools): waits for the
# server, creates the namespace when it is missing, adds beadflow's search attributes, then
# VERIFIES that the namespace is described and every attribute is listed with its type; exits
# non-zero otherwise, so the worker (which depends on this service) does not start on a half-set
# server. Same steps as `beadflow server --cluster` (waitForClusterReady in cluster-server.ts).
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is not set}"
: "${BEADFLOW_SEARCH_ATTRIBUTES:?BEADFLOW_SEARCH_ATTRIBUTES (Name=Type ...) is not set}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-72h}"
DEADLINE=$(($(date +%s) + ${SETUP_TIMEOUT_SECONDS:-180}))

# Runs "$@" until it succeeds; gives up with $1's description at the deadline.
retry() {
  what="$1"
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$DEADLINE" ]; then
      echo "temporal-setup: $what: still failing at the deadline; last attempt:" >&2
      "$@" >&2 || true
      exit 1
    fi
    sleep 2
  done
}

t() { temporal --address "$TEMPORAL_ADDRESS" "$@"; }

retry "cluster health at $TEMPORAL_ADDRESS" t operator cluster health

if ! t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  # Another run may create it at the same moment: the describe below is what counts.
  t operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" || true
fi
retry "namespace $NAMESPACE" t operator namespace describe --namespace "$NAMESPACE"

# Listed as "Name": "INDEXED_VALUE_TYPE_<TYPE>" (Keyword -> KEYWORD, KeywordList -> KEYWORD_LIST).
listed() {
  want="INDEXED_VALUE_TYPE_$(echo "$2" | sed 's/\([a-z]\)\([A-Z]\)/\1_\2/g' | tr 'a-z' 'A-Z')"
  t operator search-attribute list --namespace "$NAMESPACE" --output json 2>/dev/null | grep -q "\"$1\": *\"$want\""
}

for attr in $BEADFLOW_SEARCH_ATTRIBUTES; do
  name="${attr%%=*}"
  type="${attr#*=}"
  if ! listed "$name" "$type"; then
    retry "adding search attribute $name ($type)" t operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
for attr in $BEADFLOW_SEARCH_ATTRIBUTES; do
  retry "search attribute ${attr%%=*} listed as ${attr#*=}" listed "${attr%%=*}" "${attr#*=}"
done
echo "temporal-setup: namespace $NAMESPACE and search attributes $BEADFLOW_SEARCH_ATTRIBUTES verified"
