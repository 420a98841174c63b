#!/usr/bin/env bash
# Start Hearth on its embedded default: the event log in a SQLite file under ./data, read models and
# timers in a Redis it finds (REDIS_URL, default 127.0.0.1:6379) or starts. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_node
ensure_node_modules
ensure_build
ensure_redis
ensure_jwt_secret
ensure_master_key
export HEARTH_PORT=${HEARTH_PORT:-3000}
# The org file into the log (idempotent): on a fresh data folder its users get HEARTH_DEMO_PASSWORD or a generated
# password, printed here once; sign in with it at POST /auth/sign-in.
log "org directory: importing ${HEARTH_ORG_FILE:-config/demo-org.json}"
node dist/apps/cli/src/main.js org import "${HEARTH_ORG_FILE:-config/demo-org.json}"
log "demo users' tokens (also: npm run hearth -- tokens):"
node dist/apps/cli/src/main.js tokens --short
log "starting Hearth api + worker on http://${HEARTH_HOST:-127.0.0.1}:$HEARTH_PORT  (API docs: /docs)"
# A larger young generation: event replay allocates many short-lived objects (rebuilds ~30% faster, see README).
exec node --max-semi-space-size=64 dist/apps/api/src/main.js
