#!/usr/bin/env bash
# Parley end-to-end tests in a real browser (Debian's chromium, driven by
# playwright-core) against the real server with the demo data.
#
#   tests/e2e/run.sh path/to/parley      (or PARLEY_BIN=... tests/e2e/run.sh)
#
# Installs chromium if missing (apt-get, idempotent), runs `npm ci` here,
# trains a risk model on a small generated history, starts `parley serve
# --demo --web web --risk-model` on a free port with a fresh SQLite
# database, waits for /api/v1/health, runs `node --test specs/`, stops the
# server. Screenshots go to docs/screenshots/. The specs get the binary's
# absolute path in PARLEY_BIN (to run a witness against the server).
# PARLEY_E2E_MOCK=1 runs against lib/mock-server.mjs instead (UI development only).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PARLEY_BIN=${1:-${PARLEY_BIN:-$ROOT/build/parley}}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
    echo "e2e: installing chromium and an emoji font (Debian)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi
command -v node >/dev/null || { echo "e2e: node is required (Debian nodejs)" >&2; exit 1; }

cd "$HERE"
if [ ! -f node_modules/playwright-core/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

TMP=$(mktemp -d)
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

cd "$ROOT"
if [ "${PARLEY_E2E_MOCK:-}" = 1 ]; then
    node "$HERE/lib/mock-server.mjs" "$PORT" "$ROOT/web" >"$TMP/server.log" 2>&1 &
else
    [ -x "$PARLEY_BIN" ] || { echo "e2e: no parley binary at $PARLEY_BIN (pass its path as \$1)" >&2; exit 2; }
    # The specs run the binary too (a witness co-signing the log): an absolute path.
    PARLEY_BIN="$(cd "$(dirname "$PARLEY_BIN")" && pwd)/$(basename "$PARLEY_BIN")"
    export PARLEY_BIN
    # Risk scores need a model trained on a history: a small generated one
    # (parley demo --tickets, parley train-risk); PARLEY_E2E_RISK=0 skips it.
    RISK=()
    if [ "${PARLEY_E2E_RISK:-1}" = 1 ] && "$PARLEY_BIN" demo --db "sqlite:$TMP/history.db" --tickets 2500 --models data/models >"$TMP/history.log" 2>&1 \
        && "$PARLEY_BIN" train-risk --db "sqlite:$TMP/history.db" --out "$TMP/e2e.risk" >>"$TMP/history.log" 2>&1; then
        RISK=(--risk-model "$TMP/e2e.risk")
    fi
    "$PARLEY_BIN" serve --db "sqlite:$TMP/e2e.db" --port "$PORT" --demo --web web "${RISK[@]}" >"$TMP/server.log" 2>&1 &
fi
SERVER_PID=$!

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    if curl -fsS "$URL/api/v1/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "e2e: the server exited before it was healthy:" >&2; cat "$TMP/server.log" >&2; exit 1
    fi
    sleep 0.2
done
curl -fsS "$URL/api/v1/health" >/dev/null || { echo "e2e: no health on $URL" >&2; cat "$TMP/server.log" >&2; exit 1; }

cd "$HERE"
status=0
PARLEY_URL="$URL" node --test --test-concurrency=1 --test-reporter=spec specs/ || status=$?
if [ "$status" != 0 ]; then echo "e2e: server log (tail):" >&2; tail -n 40 "$TMP/server.log" >&2; fi
exit "$status"
