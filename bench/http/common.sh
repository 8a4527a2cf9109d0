# common.sh — sourced by the benchmarks (http/run.sh, outbox.sh, cpu.sh,
# start.sh, scale/run.sh).
# start_server BIN DB_URL NAME: starts `BIN serve` on $PORT with an admin
# user (files in $TMP), sets PID and exports PARLEY_TOKEN for post.lua.
start_server() {
  local bin=$1 url=$2 name=$3
  echo "admin-bench-password" | $bin user add --db "$url" --email bench@example.com --role admin >/dev/null 2>&1 || true
  $bin serve --db "$url" --port "$PORT" --ledger-key "$TMP/key-$name" >"$TMP/serve-$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "localhost:$PORT/api/v1/health" >/dev/null && break; sleep 0.1; done
  PARLEY_TOKEN=$(curl -s "localhost:$PORT/api/v1/auth/login" -H "Content-Type: application/json" \
      -d '{"email":"bench@example.com","password":"admin-bench-password"}' |
      python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  export PARLEY_TOKEN
}

# timed_start BIN DB LABEL: starts `BIN serve` on $PORT (log in $LOG), sets
# PID and prints how long it took until /api/v1/health answered 200; exits
# with the log if the server stops first.
timed_start() {
  local t0
  t0=$(date +%s.%N)
  ${NICE:-} "$1" serve --db "$2" --port "$PORT" >>"$LOG" 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/health"; do
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "the server stopped; its log:" >&2
      cat "$LOG" >&2
      exit 1
    fi
    sleep 0.05
  done
  awk -v a="$t0" -v b="$(date +%s.%N)" -v l="$3" 'BEGIN {printf "%-44s %7.2f s\n", l, b - a}'
}

# timed_stop: stops $PID cleanly (the server writes its metrics snapshot)
# and prints how long that took.
timed_stop() {
  local t0
  t0=$(date +%s.%N)
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%-44s %7.2f s\n", "clean stop (writes the metrics snapshot)", b - a}'
}
