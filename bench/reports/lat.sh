#!/bin/sh
# lat.sh — latency of the report, drill-down and ROI routes on a running
# server: 20 requests each, p50 and max in ms (docs/benchmarks.md).
#   PORT=18650 EMAIL=olga@parley.local PASSWORD=parley-demo bench/reports/lat.sh
# on a database made with `parley demo --tickets N` and served by a release build.
set -eu
PORT=${PORT:-18650}
BASE=http://127.0.0.1:$PORT
TOKEN=$(curl -s -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"${EMAIL:-olga@parley.local}\",\"password\":\"${PASSWORD:-parley-demo}\"}" |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
TODAY=$(date -u +%Y-%m-%d)
AGO30=$(date -u -d '30 days ago' +%Y-%m-%d)
AGO180=$(date -u -d '180 days ago' +%Y-%m-%d)
lat() {
    for i in $(seq 20); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE$1"
    done | sort -n | awk -v q="$1" '{a[NR]=$1} END {printf "%-110s p50 %6.1f ms  max %6.1f ms\n", q, a[int(NR/2)]*1000, a[NR]*1000}'
}
lat "/api/v1/reports?metric=all&period=day"
lat "/api/v1/reports?metric=all&group=agent&period=week"
lat "/api/v1/reports?metric=ttr_mean_ms,fcr_rate,csat_mean&group=category&period=month&from=$AGO180&to=$TODAY"
lat "/api/v1/reports?metric=all&group=channel&period=day&from=$AGO180&to=$TODAY&format=csv"
lat "/api/v1/reports/tickets?metric=frt_mean_ms&from=$AGO30"
lat "/api/v1/reports/tickets?metric=ttr_mean_ms&group=agent&key=3&limit=1000&from=$AGO180"
lat "/api/v1/reports/tickets?metric=emotion_anger&group=category&key=billing&from=$AGO180"
lat "/api/v1/roi"
