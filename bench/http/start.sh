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
. "$(dirname "$0")/common.sh"
start() { timed_start "$BIN" "$DB" "$1"; }
stop() { timed_stop >/dev/null; }

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
