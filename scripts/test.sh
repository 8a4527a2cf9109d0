#!/bin/bash
# make test: install what is missing, build under AddressSanitizer and
# UndefinedBehaviorSanitizer, then run every suite:
#   1. unit tests and the storage suite on SQLite (meson test)
#   2. the storage suite on a real PostgreSQL server started here
#   3. HTTP integration tests against the real server on 127.0.0.1
# Prints "N passed, N failed" at the end; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ASAN=${ASAN:-build-asan}

scripts/deps.sh test || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp

if [ ! -f "$ASAN/build.ninja" ]; then
  meson setup "$ASAN" -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debug -Dtests=true || exit 1
fi
ninja -C "$ASAN" || exit 1

passed=0; failed=0; failures=()
suite() {   # suite NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed+1)); echo "--- PASS $name"
  else failed=$((failed+1)); failures+=("$name"); echo "--- FAIL $name"; fi
}

suite checksrc scripts/checksrc.sh
suite unit meson test -C "$ASAN" --print-errorlogs --no-rebuild --suite unit

# A real PostgreSQL server for this run only (scripts/pg.sh).
if PGURL=$(scripts/pg.sh start); then
  export PARLEY_TEST_PG="$PGURL"
  suite store-postgresql env PARLEY_TEST_DB="$PGURL" \
    meson test -C "$ASAN" --print-errorlogs --no-rebuild --suite store
else
  failed=$((failed+1)); failures+=("postgresql-start")
fi

for t in tests/http/test_*.py; do
  [ -e "$t" ] || continue
  suite "http/$(basename "$t" .py)" python3 "$t" "$ASAN/parley"
done

scripts/pg.sh stop >/dev/null 2>&1 || true

# The web UI in a real browser (Debian chromium driven by playwright-core).
[ -x tests/e2e/run.sh ] && suite e2e tests/e2e/run.sh "$ROOT/$ASAN/parley"

echo
[ "$failed" -gt 0 ] && printf 'failed suites: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
