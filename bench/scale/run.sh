#!/bin/sh
# run.sh — the scale benchmark (docs/benchmarks.md, "At a million tickets"):
# starts a release build on a big database and times the start (the
# metrics come from the snapshot DB.metrics and the events after it, or
# from a replay of every event when there is none), prints the latency
# table of bench/scale/probe.py, stops the server cleanly (which writes the
# snapshot) and times a second start.
#   bench/scale/run.sh [DB] [ROUNDS]
# DB defaults to sqlite:/tmp/million/parley-1m.db, made beforehand with
#   parley demo --db DB --tickets 1000000
# ROUNDS (default 20) is how many times each call runs. PORT (default 18790)
# and BIN (default build-rel/parley, built if missing) from the environment.
# END=YYYY-MM-DD ends the probe's windows there instead of at the newest
# ticket (give it once INGEST has added tickets dated today).
# INGEST=10s also posts messages for that long with wrk and
# bench/http/post.lua (16 connections; analysis, triage, commit, events out):
# the whole path's messages/s on the big database, which it grows.
set -eu
cd "$(dirname "$0")/../.."
DB=${1:-sqlite:/tmp/million/parley-1m.db}
ROUNDS=${2:-20}
PORT=${PORT:-18790}
BIN=${BIN:-build-rel/parley}
if [ ! -x "$BIN" ]; then
    [ -d build-rel ] || meson setup build-rel --buildtype=release -Dtests=false >/dev/null
    nice ninja -C build-rel -j2 parley >/dev/null
fi
LOG=$(mktemp /tmp/parley-scale.XXXXXX)
PID=
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; rm -f "$LOG"' EXIT INT TERM

NICE=nice
. "$(dirname "$0")/../http/common.sh"
start() { timed_start "$BIN" "$DB" "$1"; }
stop() { timed_stop; }

echo "database: $DB"
echo "load before: $(uptime)"
start "server start"
echo
echo "| call | p50 ms | p99 ms | max ms | bytes |"
echo "| --- | ---: | ---: | ---: | ---: |"
python3 bench/scale/probe.py "$PORT" "$ROUNDS" ${END:-}
if [ -n "${INGEST:-}" ]; then
    PARLEY_TOKEN=$(curl -s "http://127.0.0.1:$PORT/api/v1/auth/login" \
        -H 'Content-Type: application/json' \
        -d '{"email":"admin@parley.local","password":"parley-demo"}' |
        python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
    export PARLEY_TOKEN
    echo
    echo "whole path: POST /api/v1/messages, 16 connections, $INGEST"
    wrk -t2 -c16 -d"$INGEST" --latency -s bench/http/post.lua "http://127.0.0.1:$PORT" |
        grep -E "Requests/sec|50%|99%|Non-2xx"
fi
echo
echo "load after: $(uptime)"
stop
start "second start (from the snapshot)"
stop
