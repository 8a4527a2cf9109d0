#!/bin/sh
# throughput.sh [BUILD] — single-thread throughput/latency of the full
# analysis over the dev-split messages of every task, and the resident
# memory of `parley analyze` with the default models.
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build-text-rel}
W=${TMPDIR:-/tmp}/parley-text-bench
mkdir -p "$W"
/usr/bin/python3 bench/text/prep.py "$W" 2>/dev/null
/usr/bin/python3 - "$W" <<'PY'
import csv, random, sys
w = sys.argv[1]
rows = []
for f in ['banking77-dev.csv', 'goemotions_ekman-dev.csv', 'cedr-dev.csv', 'sentiment-dev.csv']:
    rows += [r['text'].replace('\n', ' ') for r in csv.DictReader(open(w + '/' + f, encoding='utf-8'))]
random.Random(1).shuffle(rows)
open(w + '/msgs.txt', 'w', encoding='utf-8').write('\n'.join(rows) + '\n')
PY
cc -O2 -Isrc bench/text/bench_text.c "$B/libparleycore.a" -lutf8proc -lstemmer -llinear -ljansson -lm -lpthread \
   -o "$W/bench_text" 2>/dev/null || cc -O2 -Isrc bench/text/bench_text.c "$B/libparleycore.a" \
   $(pkg-config --libs libutf8proc jansson sqlite3 libpq libmicrohttpd libsodium gmime-3.0 libcurl) \
   -lstemmer -llinear -lm -lpthread -o "$W/bench_text"
taskset -c 0 "$W/bench_text" data/models "$W/msgs.txt" 5
/usr/bin/time -f "analyze (stdin mode, all models loaded): max RSS %M KB, %e s for $(wc -l < "$W/msgs.txt") messages" \
    "$B/parley" analyze --models data/models < "$W/msgs.txt" > /dev/null
