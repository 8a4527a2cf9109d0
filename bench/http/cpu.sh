#!/bin/bash
# CPU per message: POST /api/v1/messages with wrk against each server binary
# given, one after the other on fresh SQLite databases, and the server
# process's CPU time (user + system, /proc) divided by the messages answered.
# Less sensitive to a loaded machine than messages/s; compare builds in the
# same minutes.
#   bench/http/cpu.sh BIN [BIN...]      # e.g. an old and a new build-rel/parley
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=18182
TMP=$(mktemp -d)
. bench/http/common.sh
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
hz=$(getconf CLK_TCK)
for bin in "$@"; do
  rm -f "$TMP"/b.db*
  start_server "$bin" "sqlite:$TMP/b.db" s
  wrk -t2 -c16 -d2s -s bench/http/post.lua "http://127.0.0.1:$PORT" >/dev/null   # warm up
  ticks=0 n=0 rates=""
  for _ in 1 2 3; do
    c0=$(cpu)
    out=$(wrk -t2 -c16 -d5s -s bench/http/post.lua "http://127.0.0.1:$PORT")
    ticks=$((ticks + $(cpu) - c0))
    n=$((n + $(echo "$out" | awk '/requests in/ {print $1}')))
    rates="$rates $(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')"
  done
  echo "$bin: $((ticks * 1000000 / hz / n)) us CPU per message; messages/s:$rates"
  kill $PID; wait $PID 2>/dev/null || true
done
