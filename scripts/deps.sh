#!/bin/sh
# Installs, from Debian's packages only, whatever Parley needs that is
# missing. Idempotent: when everything is present it only checks.
#   scripts/deps.sh           build + run dependencies
#   scripts/deps.sh test      + what the test suite needs (PostgreSQL server, ...)
#   scripts/deps.sh bench     + what the benchmarks need (wrk, fasttext, ...)
set -eu

pkgs="build-essential pkg-config meson ninja-build python3
libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev
libutf8proc-dev libstemmer-dev liblinear-dev libgmime-3.0-dev
libcurl4-openssl-dev libcmocka-dev"

for extra in "$@"; do
  case "$extra" in
    test)  pkgs="$pkgs postgresql sqlite3 curl dovecot-imapd openssl chromium fonts-noto-color-emoji"
           # the browser tests run on node; Debian's when the machine has none
           command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm" ;;
    bench) pkgs="$pkgs wrk fasttext python3-sklearn python3-numpy postgresql curl" ;;
    *) echo "deps.sh: unknown group '$extra' (use: test, bench)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $pkgs; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$st" in
    "install ok installed") ;;
    *) missing="$missing $p" ;;
  esac
done

[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
