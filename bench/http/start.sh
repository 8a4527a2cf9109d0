#!/bin/sh
# start.sh — server start time: from launch to the first 200 of
# /api/v1/health, without and with the metrics snapshot (docs/benchmarks.md,
# "Server start").
#   bench/http/start.sh build-rel/parley sqlite:/tmp/d20k.db
# on a database made with `parley demo --tickets N`. Runs, in order: a start
# with no snapshot (full replay), stopped cleanly so it writes one; a start
# from that snapshot; the same again after a kill -9 following some new
# events (the snapshot, then only the newer events). The snapshot file is
# DB.metrics beside the database; a previous one is removed first.
set -eu
BIN=$1
DB=$2
PORT=${PORT:-18660}
SNAP=${DB#sqlite:}.metrics
LOG=${TMPDIR:-/tmp}/parley-start-$$.log
now() { date +%s.%N; }

# start LABEL: launches the server, waits for health 200, prints the time.
start() {
    t0=$(now)
    "$BIN" serve --db "$DB" --port "$PORT" >>"$LOG" 2>&1 &
    PID=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/health"; do
        kill -0 "$PID" 2>/dev/null || { echo "server exited; see $LOG" >&2; exit 1; }
        sleep 0.05
    done
    awk -v a="$t0" -v b="$(now)" -v l="$1" 'BEGIN {printf "%-44s %7.2f s\n", l, b - a}'
}

stop() {
    kill -TERM "$PID"
    wait "$PID" || true
}

rm -f "$SNAP"
start "no snapshot (full replay)"
stop
ls -l "$SNAP" | awk '{printf "snapshot: %.1f MB\n", $5 / 1e6}'
grep -o 'snapshot .* written in [0-9]* ms' "$LOG" | tail -1
start "from the snapshot"
TOKEN=$(curl -s "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"admin@parley.local","password":"parley-demo"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
for i in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/messages" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"channel\":\"email\",\"customer\":{\"email\":\"start$i@example.com\"},\"subject\":\"Order\",\"body\":\"Where is my order $i?\"}"
done
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
start "after kill -9 (snapshot + 50 new tickets)"
stop
grep 'as of event' "$LOG" | tail -2
rm -f "$LOG"
