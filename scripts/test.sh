#!/usr/bin/env bash
# Run the whole test suite: lint, type check, build, then every jest test (unit, contract, integration
# against real redis-server processes the tests start themselves, and e2e over HTTP). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_node
ensure_node_modules
ensure_redis_server_binary
ensure_postgres_binaries
log "lint"; npm run --silent lint
log "type check"; npm run --silent typecheck
ensure_build
log "tests"
npx jest --ci --maxWorkers=2 "$@"
