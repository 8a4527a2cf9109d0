#!/bin/sh
# models.sh — rebuilds Parley's default text models in data/models/ from
# the datasets shipped in data/datasets/ (see data/README.md). Deterministic:
# fixed splits and seeds. Usage: scripts/models.sh [PARLEY_BINARY]
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-${BUILD:-build}/parley}
W=${TMPDIR:-/tmp}/parley-models.$$
trap 'rm -rf "$W"' EXIT
mkdir -p "$W" data/models
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
$PY bench/text/prep.py "$W"
cp data/datasets/vader/vader_lexicon.txt data/models/vader_lexicon.txt
"$BIN" train --task emotion --lang en --multi-label --train "$W/en-emotion-full.csv" --out data/models/en-emotion.model
"$BIN" train --task emotion --lang ru --multi-label --train "$W/ru-emotion-full.csv" --out data/models/ru-emotion.model
"$BIN" train --task sentiment --lang en --train "$W/en-sentiment-full.csv" --out data/models/en-sentiment.model
"$BIN" train --task sentiment --lang ru --train "$W/ru-sentiment-full.csv" --out data/models/ru-sentiment.model
"$BIN" train --task intent --lang en --train "$W/en-intent-full.csv" --out data/models/en-intent.model
ls -l data/models
