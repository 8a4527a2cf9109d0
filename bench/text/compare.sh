#!/bin/sh
# compare.sh — Parley's text models vs fastText vs TF-IDF+LR on the same
# stratified dev splits (seed 42) of every task. Writes one JSON line per
# (task, system) to bench/text/results/. Usage:
#   bench/text/compare.sh [PARLEY_BINARY] [TASK...]
# Env: FASTTEXT_AUTOTUNE_SECONDS (default 90), SYSTEMS (default
# "parley tfidf fasttext").
set -eu
cd "$(dirname "$0")/../.."
BIN=${1:-build-text-rel/parley}
[ $# -gt 0 ] && shift
TASKS=${*:-"banking77 goemotions_ekman cedr sentiment"}
W=${TMPDIR:-/tmp}/parley-text-compare
OUT=bench/text/results
mkdir -p "$W" "$OUT"
PY=/usr/bin/python3
$PY bench/text/prep.py "$W"
for t in $TASKS; do
    ML=""
    case $t in goemotions_ekman|cedr) ML=--multi-label ;; esac
    case " ${SYSTEMS:-parley tfidf fasttext} " in *" parley "*)
    start=$(date +%s)
    $BIN train --quiet --task "$t" --train "$W/$t-train.csv" --out "$W/$t.model" $ML
    secs=$(( $(date +%s) - start ))
    $BIN eval --model "$W/$t.model" --test "$W/$t-dev.csv" |
        $PY -c "import json,sys; m=json.load(sys.stdin); m['system']='parley'; m['seconds']=$secs; print(json.dumps(m, ensure_ascii=False))" \
        > "$OUT/$t-parley.json" ;;
    esac
    for s in ${SYSTEMS:-tfidf fasttext}; do
        [ "$s" = parley ] && continue
        $PY bench/text/baselines.py $s "$W/$t-train.csv" "$W/$t-dev.csv" $ML > "$OUT/$t-$s.json"
    done
    for s in parley tfidf fasttext; do
        [ -f "$OUT/$t-$s.json" ] || continue
        $PY -c "import json; m=json.load(open('$OUT/$t-$s.json')); print('%-18s %-9s acc %.4f  macro-F1 %.4f  micro-F1 %.4f  (%ss)' % ('$t', m['system'], m['accuracy'], m['macro_f1'], m['micro_f1'], m['seconds']))"
    done
done
