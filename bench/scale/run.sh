#!/bin/sh
# run.sh — the scale benchmark (docs/benchmarks.md, "At a million tickets"):
# starts a release build on a big database, times the start (the metrics
# replay of every event happens before the port opens), then prints the
# latency table of bench/scale/probe.py.
#   bench/scale/run.sh [DB] [ROUNDS]
# DB defaults to sqlite:/tmp/million/parley-1m.db, made beforehand with
#   parley demo --db DB --tickets 1000000
# ROUNDS (default 20) is how many times each call runs. PORT (default 18790)
# and BIN (default build-rel/parley, built if missing) from the environment.
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
echo "database: $DB"
echo "load before: $(uptime)"
t0=$(date +%s.%N)
nice "$BIN" serve --db "$DB" --port "$PORT" >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$LOG"' EXIT INT TERM
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/health"; do
    if ! kill -0 $PID 2>/dev/null; then
        echo "run.sh: the server stopped:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.5
done
t1=$(date +%s.%N)
echo "server start (replay of every event, port open): $(echo "$t1 - $t0" | bc) s"
echo
echo "| call | p50 ms | p99 ms | max ms | bytes |"
echo "| --- | ---: | ---: | ---: | ---: |"
python3 bench/scale/probe.py "$PORT" "$ROUNDS"
echo
echo "load after: $(uptime)"
