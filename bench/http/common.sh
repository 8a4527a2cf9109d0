# common.sh — sourced by the HTTP benchmarks (run.sh, outbox.sh).
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
