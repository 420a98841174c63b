#!/usr/bin/env bash
# Before `npm run bench`: the benchmark's peer (Emmett on sqlite3) needs sqlite3's native addon, which npm ci does not
# compile (package.json allowScripts), so that start.sh installs only what Hearth needs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_bench_peer
