# Shared set-up steps for scripts/start.sh and scripts/test.sh. Each step is idempotent and quick
# when there is nothing to do, so both commands work on a fresh Debian machine with Node 20.

log() { printf '\033[1;34m[hearth]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root to run: $*"; return 1; fi
}

apt_install() {
  log "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_node() {
  command -v node >/dev/null 2>&1 || { log "Node.js 20 or newer is required"; exit 1; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { log "Node.js 20 or newer is required (found $(node --version))"; exit 1; }
}

# better-sqlite3 12 compiles from source: it needs python3, make and a C++ compiler.
ensure_build_tools() {
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# Runs "$@" while printing what it is waiting for every 15 s (npm ci and the build are silent for a long time).
with_ticker() {
  local what=$1; shift
  local started=$SECONDS
  ( while sleep 15; do log "… still $what ($((SECONDS - started)) s)"; done ) &
  local ticker=$!
  local rc=0
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  [ "$rc" = 0 ] && log "$what: done in $((SECONDS - started)) s"
  return "$rc"
}

# npm ci when package-lock.json changed. Only better-sqlite3 (and msgpackr-extract, protobufjs) run install
# scripts: package.json's allowScripts keeps the benchmark peer's sqlite3 addon uncompiled (npm run bench builds it).
ensure_node_modules() {
  local stamp=node_modules/.hearth-installed
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
    ensure_build_tools
    log "installing npm dependencies (npm ci; better-sqlite3 compiles from source, a minute or more)"
    with_ticker "installing npm dependencies" npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  else
    log "npm dependencies are up to date"
  fi
}

# The TypeScript build, only when a source, config or the lockfile is newer than the last build.
ensure_build() {
  local stamp=dist/.hearth-built
  local changed=""
  if [ -f "$stamp" ]; then
    changed=$(find apps libs bench package.json package-lock.json tsconfig.json tsconfig.build.json -newer "$stamp" \
      \( -name '*.ts' -o -name '*.json' \) -not -path '*/results/*' -print -quit 2>/dev/null || true)
    if [ -z "$changed" ]; then log "build is up to date (dist/)"; return; fi
    log "sources changed since the last build ($changed …): building (tsc)"
  else
    log "building (tsc, about a minute on 2 cores)"
  fi
  with_ticker "building" npm run --silent build
  touch "$stamp"
}

# The benchmark's peer (Emmett on sqlite3) only: compile sqlite3's native addon, which npm ci leaves alone.
ensure_bench_peer() {
  [ -f node_modules/sqlite3/build/Release/node_sqlite3.node ] && return
  ensure_build_tools
  log "building the benchmark peer's sqlite3 addon (only npm run bench needs it)"
  (cd node_modules/sqlite3 && with_ticker "compiling sqlite3" npm run --silent install)
}

ensure_redis_server_binary() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  # Debian starts a system Redis on install; Hearth does not rely on it either way.
}

# PostgreSQL's server programs for the tests' private clusters (test/support/postgres-server.ts runs initdb and
# postgres itself, on a free port in a temp folder). Debian keeps them in /usr/lib/postgresql/<ver>/bin. On
# install, no default cluster is created or started (create_main_cluster = false): Hearth's tests need none.
ensure_postgres_binaries() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    as_root mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  apt_install postgresql
}

# PING a Redis at host:port over bash's /dev/tcp (no redis-cli needed).
redis_alive() {
  local host=$1 port=$2 reply=""
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&- 3<&-
  [[ "$reply" == +PONG* ]]
}

# Use the Redis at REDIS_URL if it answers; otherwise start one (installing redis-server if needed).
# Redis holds only derived data, so it keeps nothing on disk.
ensure_redis() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379}
  local hostport=${url#redis://}; hostport=${hostport##*@}; hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  [ "$port" != "$host" ] || port=6379
  if redis_alive "$host" "$port"; then log "using Redis at $host:$port"; export REDIS_URL="$url"; return; fi
  if [ "$host" != 127.0.0.1 ] && [ "$host" != localhost ]; then log "Redis at $url does not answer"; exit 1; fi
  ensure_redis_server_binary
  mkdir -p data/redis
  log "starting redis-server on $host:$port (data/redis, no persistence: everything in Redis is rebuilt from the event log)"
  # hash-max-listpack-value 512: a BullMQ timer's hash fits the compact encoding (~30% less memory per deadline).
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no --hash-max-listpack-value 512 \
    --dir "$PWD/data/redis" --logfile "$PWD/data/redis/redis.log" --pidfile "$PWD/data/redis/redis.pid"
  for _ in $(seq 1 50); do redis_alive "$host" "$port" && { export REDIS_URL="$url"; return; }; sleep 0.1; done
  log "redis-server did not start (see data/redis/redis.log)"; exit 1
}

# A JWT secret generated once per data folder, unless HEARTH_JWT_SECRET is given.
ensure_jwt_secret() {
  if [ -z "${HEARTH_JWT_SECRET:-}" ]; then
    mkdir -p "${HEARTH_DATA_DIR:-data}"
    local f="${HEARTH_DATA_DIR:-data}/jwt-secret"
    [ -s "$f" ] || { node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' > "$f"; chmod 600 "$f"; }
    HEARTH_JWT_SECRET=$(cat "$f"); export HEARTH_JWT_SECRET
  fi
}

# The master key that wraps the per-subject data keys (crypto-shredding, data/keys.sqlite), generated once per data
# folder unless HEARTH_MASTER_KEY is given. Without it no personal data can be read: back it up apart from the data.
ensure_master_key() {
  if [ -z "${HEARTH_MASTER_KEY:-}" ]; then
    mkdir -p "${HEARTH_DATA_DIR:-data}"
    local f="${HEARTH_DATA_DIR:-data}/master-key"
    [ -s "$f" ] || { (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' > "$f"); }
    HEARTH_MASTER_KEY=$(cat "$f"); export HEARTH_MASTER_KEY
  fi
}
