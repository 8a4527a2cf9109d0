#!/bin/sh
# Fails when src/ calls a function Parley bans (after git's banned.h and
# curl's checksrc): unbounded copies, non-reentrant time and tokenising,
# and the format functions without a size.
set -eu
cd "$(dirname "$0")/.."
pattern='(^|[^_a-z0-9])(strcpy|strcat|sprintf|vsprintf|strtok|gmtime|localtime|gets|asctime|ctime)[[:space:]]*\('
# Lines that are comments (start with /*, * or //) are not calls.
if grep -rnE "$pattern" src --include='*.c' --include='*.h' |
   grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)'; then
  echo "checksrc: banned function used (see above); use snprintf, buf_*, strtok_r, clock_*" >&2
  exit 1
fi
echo "checksrc: ok"
