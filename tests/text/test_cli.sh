#!/bin/sh
# test_cli.sh PARLEY SRCDIR — the CLI contracts of train/eval/analyze.
set -u
P=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"

cat > train.csv <<'CSV'
id,text,label
1,where is my card it has not arrived,card_arrival
2,my card still hasn't come,card_arrival
3,when will my new card arrive,card_arrival
4,card not delivered yet,card_arrival
5,please cancel my transfer,cancel_transfer
6,"I want to cancel the payment, now",cancel_transfer
7,how do I cancel a transaction,cancel_transfer
8,stop the transfer please,cancel_transfer
CSV
"$P" train --quiet --task t --train train.csv --out m.model || fail "train"
out=$("$P" eval --model m.model --test train.csv) || fail "eval"
for k in '"n":8' '"accuracy":' '"macro_f1":' '"micro_f1":' '"card_arrival":{"precision":' '"support":4'; do
    echo "$out" | grep -q "$k" || fail "eval output lacks $k: $out"
done

"$P" train --quiet --task t --train train.csv --out nb.model --nb on || fail "train --nb on"
"$P" eval --model nb.model --test train.csv | grep -q '"n":8' || fail "eval of an NB model"
err=$("$P" train --quiet --task t --train train.csv --out x.model --nb maybe 2>&1; echo "rc=$?")
echo "$err" | grep -q "rc=2" && echo "$err" | grep -q "\-\-nb takes auto, on or off, not 'maybe'" ||
    fail "bad --nb value: $err"
[ -e x.model ] && fail "a bad --nb wrote a model"

# multi-label
printf 'text,label\nI am angry and sad,anger;sadness\nso happy,joy\nfurious,anger\ncrying all day,sadness\n' > ml.csv
"$P" train --quiet --task e --train ml.csv --out ml.model --multi-label || fail "multi-label train"
"$P" eval --model ml.model --test ml.csv | grep -q '"sadness":' || fail "multi-label eval"

# bad files name the line and fail
printf 'text,label\nfine,a\nbad,\n' > empty.csv
err=$("$P" train --quiet --task t --train empty.csv --out x.model 2>&1) && fail "empty label accepted"
echo "$err" | grep -q 'empty.csv:3: empty label' || fail "empty label message: $err"
printf 'txt,label\nfine,a\n' > nocol.csv
err=$("$P" train --quiet --task t --train nocol.csv --out x.model 2>&1) && fail "missing column accepted"
echo "$err" | grep -q "nocol.csv:1: missing column 'text'" || fail "missing column message: $err"
printf 'text,label\nfine,a\n\377bad,b\n' > utf.csv
err=$("$P" train --quiet --task t --train utf.csv --out x.model 2>&1) && fail "invalid UTF-8 accepted"
echo "$err" | grep -q 'utf.csv:3' || fail "invalid UTF-8 message: $err"
echo "garbage" > bad.model
err=$("$P" eval --model bad.model --test train.csv 2>&1) && fail "garbage model accepted"
echo "$err" | grep -q 'not a Parley text model' || fail "garbage model message: $err"

# analyze
M="$SRC/data/models"
out=$("$P" analyze --models "$M" "I will sue you, this is a scam!!!") || fail "analyze"
for k in '"language":"en"' '"emotions":{' '"sentiment":' '"intent":{"label":' '"type":"legal","evidence":"sue"'; do
    echo "$out" | grep -q "$k" || fail "analyze output lacks $k: $out"
done
n=$(printf 'hello\nПривет, всё сломалось\nthird\n' | PARLEY_MODELS="$M" "$P" analyze | wc -l)
[ "$n" -eq 3 ] || fail "stdin mode: $n lines"
printf 'Привет, всё сломалось\n' | "$P" analyze --models "$M" | grep -q '"language":"ru"' || fail "ru line"
"$P" analyze --models /nonexistent x 2>/dev/null && fail "missing models accepted"
echo ok
