#!/bin/bash
# A throw-away PostgreSQL server for the test suite.
#   scripts/pg.sh start   initdb a fresh cluster in $REPO/.pg/, start it on
#                         127.0.0.1 (first free port from 54329), create the
#                         database parley_test; prints ONLY its URL, e.g.
#                         postgresql://postgres@127.0.0.1:54329/parley_test
#   scripts/pg.sh stop    stops that server and removes $REPO/.pg/
#   scripts/pg.sh url     prints the URL of the running server
# Idempotent: start first stops and removes whatever a previous run left —
# only a directory pg.sh made (it holds .made-by-pg.sh); any other existing
# $PARLEY_PG_DIR is refused, never deleted.
# fsync stays ON (the durability the product relies on is what we test).
# When run as root the cluster belongs to the `postgres` system user,
# since initdb refuses to run as root. Trust auth, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PGROOT=${PARLEY_PG_DIR:-$ROOT/.pg}
DATA=$PGROOT/data
LOG=$PGROOT/server.log
DB=parley_test

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/pg_ctl" ] && bindir=$d      # the highest version wins (glob order)
done
if [ -z "$bindir" ]; then
  echo "pg.sh: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (scripts/deps.sh test)" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  PGUSER_NAME=postgres
else
  as_pg() { "$@"; }
  PGUSER_NAME=$(id -un)
fi

port_in_use() {   # port_in_use PORT: something accepts connections there
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  [ -e "$PGROOT" ] || return 0
  if [ ! -e "$PGROOT/.made-by-pg.sh" ]; then
    echo "pg.sh: $PGROOT exists and was not made by pg.sh; not deleting it (set PARLEY_PG_DIR elsewhere)" >&2
    exit 1
  fi
  if [ -f "$DATA/PG_VERSION" ]; then
    as_pg "$bindir/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$bindir/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGROOT"
}

url() {
  echo "postgresql://$PGUSER_NAME@127.0.0.1:$(cat "$PGROOT/port")/$DB"
}

start_server() {
  stop_server
  mkdir -p "$PGROOT"
  touch "$PGROOT/.made-by-pg.sh"
  chmod 755 "$PGROOT"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PGROOT"
  as_pg "$bindir/initdb" -D "$DATA" -U "$PGUSER_NAME" --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$PGROOT/initdb.log" 2>&1 || {
    echo "pg.sh: initdb failed:" >&2; cat "$PGROOT/initdb.log" >&2; return 1; }

  local port
  for port in $(seq 54329 54399); do
    port_in_use "$port" && continue
    if as_pg "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $PGROOT -c fsync=on" \
         start >/dev/null 2>&1; then
      echo "$port" >"$PGROOT/port"
      as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$PGUSER_NAME" -d postgres -qAt \
        -c "CREATE DATABASE $DB" >/dev/null || {
        echo "pg.sh: createdb failed" >&2; return 1; }
      url
      return 0
    fi
    # Lost a race for the port (or another failure): look at the log, retry.
    grep -q "could not bind\|Address already in use" "$LOG" 2>/dev/null || {
      echo "pg.sh: server did not start:" >&2; cat "$LOG" >&2; return 1; }
  done
  echo "pg.sh: no free port in 54329..54399" >&2
  return 1
}

case "${1:-}" in
  start) start_server ;;
  stop)  stop_server ;;
  url)   [ -f "$PGROOT/port" ] && url ;;
  *) echo "usage: scripts/pg.sh start|stop|url" >&2; exit 2 ;;
esac
