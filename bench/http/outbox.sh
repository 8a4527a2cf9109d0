#!/bin/bash
# Does the outbox cost ingest anything? POST /api/v1/messages with wrk on
# SQLite, alternating three servers so that load from elsewhere hits them
# alike:
#   before   a binary without the outbox (BEFORE_BIN)
#   after    this tree, no webhook subscribed (every event still asks the
#            outbox; nothing is queued)
#   after+*  this tree with a webhook subscribed to "*": every event of every
#            message writes an outbox row with its JSON body in the ingest
#            transaction. The hook's URL is a socket that accepts and never
#            answers, so the delivery thread sits in one call and the figure
#            is the cost of the writes alone.
#   bench/http/outbox.sh BEFORE_BIN [ROUNDS=3] [DURATION=10s] [CONNECTIONS=16]
# Build BEFORE_BIN from the commit before the outbox, e.g.
#   git worktree add --detach /tmp/before <rev> &&
#   meson setup /tmp/before/b --buildtype=release -Dtests=false /tmp/before && ninja -C /tmp/before/b parley
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE=$(realpath "$1")
ROUNDS=${ROUNDS:-3}
DUR=${DURATION:-10s}
C=${CONNECTIONS:-16}
[ -f build-rel/build.ninja ] || meson setup build-rel --buildtype=release -Dtests=false >/dev/null
ninja -C build-rel parley >/dev/null
AFTER=$PWD/build-rel/parley
TMP=$(mktemp -d)
PORT=18191
SINK=18192
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    c, _ = s.accept(); held.append(c)     # accept, never answer
' $SINK &
SINKPID=$!
. bench/http/common.sh
trap 'kill $PID $SINKPID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
PID=

one() {   # NAME BIN HOOK(0|1)
  local name=$1 bin=$2 hook=$3 db="sqlite:$TMP/$1-$RANDOM.db"
  start_server "$bin" "$db" "$name-$RANDOM"
  if [ "$hook" = 1 ]; then
    curl -sf localhost:$PORT/api/v1/webhooks -H "Authorization: Bearer $PARLEY_TOKEN" \
      -H "Content-Type: application/json" \
      -d "{\"url\":\"http://127.0.0.1:$SINK/hook\",\"events\":[\"*\"]}" >/dev/null
  fi
  printf '%-8s ' "$name"
  wrk -t2 -c"$C" -d"$DUR" --latency -s bench/http/post.lua "http://127.0.0.1:$PORT" |
    awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF}
         END{printf "%10s msg/s  p50 %8s  p99 %8s  non-2xx %s\n", r, p50, p99, bad ? bad : 0}'
  if [ "$hook" = 1 ]; then
    rows=$(sqlite3 "${db#sqlite:}" "select count(*) from outbox" 2>/dev/null || echo "?")
    msgs=$(sqlite3 "${db#sqlite:}" "select count(*) from messages" 2>/dev/null || echo "?")
    echo "         ($rows outbox rows for $msgs messages)"
  fi
  kill $PID; wait $PID 2>/dev/null || true
}

# The order turns each round, so no configuration always runs first.
runs=("before $BEFORE 0" "after $AFTER 0" "after+* $AFTER 1")
for r in $(seq "$ROUNDS"); do
  echo "## round $r"
  for k in 0 1 2; do
    one ${runs[$(( (k + r - 1) % 3 ))]}
  done
done
