#!/usr/bin/env bash
# Builds the services and starts the whole system on this machine (no Docker needed):
# PostgreSQL, three Redis nodes, worker, api and quorum-gateway. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q install -DskipTests
exec ./mvnw -B -q -pl devstack exec:java "$@"
