#!/bin/sh
# build_id.sh — prints the id of the code that turns events into the live
# metrics (src/desk/build_id.h, via meson's vcs_tag): the last commit that
# changed it, plus a hash of any uncommitted change to it. A metrics
# snapshot is only used by a build with the same id (docs/architecture.md,
# "The metrics snapshot"), so a new version replays the events at its first
# start only when it counts them differently. Exits non-zero outside a git
# checkout (meson then uses the project's version).
cd "$(dirname "$0")/.." || exit 1
paths="src/insight src/model src/desk/metrics.c src/desk/metrics_snap.c src/desk/desk_internal.h"
id=$(git log -1 --format=%H -- $paths 2>/dev/null) && [ -n "$id" ] || exit 1
if ! git diff --quiet HEAD -- $paths; then
    id="$id-dirty-$(git diff HEAD -- $paths | sha256sum | cut -c1-16)"
fi
echo "$id"
