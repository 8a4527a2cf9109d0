#!/bin/bash
# HTTP ingest benchmark: throughput and latency of POST /api/v1/messages with
# wrk on loopback, on SQLite and on PostgreSQL, next to GET /api/v1/health
# (the same server's ceiling). Builds a release binary in build-bench/.
#   bench/http/run.sh [DURATION=10s] [CONNECTIONS="16 64"]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DUR=${DURATION:-10s}
CONNS=${CONNECTIONS:-"16 64"}
scripts/deps.sh bench >/dev/null
[ -f build-bench/build.ninja ] || meson setup build-bench --buildtype=release -Dtests=false >/dev/null
ninja -C build-bench parley >/dev/null
BIN=$ROOT/build-bench/parley
TMP=$(mktemp -d)
PORT=18181
. bench/http/common.sh
trap 'kill $PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT

bench_db() {   # NAME URL
  local name=$1 url=$2
  start_server "$BIN" "$url" "$name"
  for c in $CONNS; do
    echo "### $name: GET /api/v1/health, $c connections"
    wrk -t2 -c"$c" -d"$DUR" --latency "http://127.0.0.1:$PORT/api/v1/health" |
      grep -E "Requests/sec|50%|99%"
    echo "### $name: POST /api/v1/messages, $c connections"
    wrk -t2 -c"$c" -d"$DUR" --latency -s bench/http/post.lua "http://127.0.0.1:$PORT" |
      grep -E "Requests/sec|50%|99%|Non-2xx"
  done
  kill $PID; wait $PID 2>/dev/null || true
}

bench_db sqlite "sqlite:$TMP/bench.db"
bench_db sqlite-sync-normal "sqlite:$TMP/bench-normal.db?sync=normal"
export PARLEY_PG_DIR=$ROOT/.pg-bench
if PGURL=$(scripts/pg.sh start); then
  bench_db postgresql "$PGURL"
  scripts/pg.sh stop >/dev/null
fi
