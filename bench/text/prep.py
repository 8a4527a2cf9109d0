#!/usr/bin/env python3
"""prep.py OUTDIR — turns the datasets shipped in data/datasets/ into the
CSV files (text,label) that `parley train` / `parley eval` read:

  OUTDIR/<task>-full.csv             every training row (for the shipped models)
  OUTDIR/<task>-train.csv, -dev.csv  a stratified 85/15 split, seed 42 (evaluation)

Tasks: banking77, goemotions_ekman, cedr, sentiment (eval tasks) and the
product models en-emotion, ru-emotion, en-sentiment, ru-sentiment,
en-intent. Mappings are documented in docs/text-quality.md."""
import csv, json, os, random, re, sys
from collections import defaultdict

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data', 'datasets')
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

GO = open(os.path.join(D, 'goemotions/emotions.txt')).read().split()
EKMAN = json.load(open(os.path.join(D, 'goemotions/ekman_mapping.json')))
SENT = json.load(open(os.path.join(D, 'goemotions/sentiment_dict.json')))
FINE2EK = {f: e for e, fs in EKMAN.items() for f in fs}
FINE2SENT = {f: s for s, fs in SENT.items() for f in fs}
# Parley's product emotions from GoEmotions fine labels.
PRODUCT = {
    'anger': ['anger', 'disgust'],
    'frustration': ['annoyance', 'disappointment', 'disapproval'],
    'anxiety': ['fear', 'nervousness'],
    'sadness': ['sadness', 'grief', 'remorse', 'embarrassment'],
    'confusion': ['confusion'],
    'joy': ['joy', 'gratitude', 'relief', 'admiration', 'approval', 'amusement', 'love',
            'optimism', 'excitement', 'pride', 'caring'],
    'neutral': ['neutral'],
}
FINE2PROD = {f: p for p, fs in PRODUCT.items() for f in fs}
CEDR = ['joy', 'sadness', 'surprise', 'fear', 'anger']
CEDR2PROD = {'joy': 'joy', 'sadness': 'sadness', 'fear': 'anxiety', 'anger': 'anger', 'none': 'neutral'}
CEDR2SENT = {'joy': 'positive', 'sadness': 'negative', 'fear': 'negative', 'anger': 'negative',
             'none': 'neutral'}


def goemotions():
    rows = []
    with open(os.path.join(D, 'goemotions/train.tsv'), newline='', encoding='utf-8') as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if len(parts) < 3:
                continue
            rows.append((parts[0], [GO[int(i)] for i in parts[1].split(',')]))
    return rows


def ru_goemotions():
    rows = []
    with open(os.path.join(D, 'ru_goemotions/ru-go-emotions-simplified-validation.csv'),
              newline='', encoding='utf-8') as f:
        for r in csv.DictReader(f):
            ids = re.findall(r'\d+', r['labels'])
            rows.append((r['ru_text'], [GO[int(i)] for i in ids]))
    return rows


def cedr():
    rows = []
    with open(os.path.join(D, 'cedr/cedr-main-train.csv'), newline='', encoding='utf-8') as f:
        for r in csv.DictReader(f):
            ids = re.findall(r'\d+', r['labels'])
            rows.append((r['text'], [CEDR[int(i)] for i in ids] or ['none']))
    return rows


def mapped(rows, m, single=False):
    out = []
    for t, labs in rows:
        ls = sorted({m[l] for l in labs if l in m})
        if not ls or (single and len(ls) != 1):
            continue
        out.append((t, ls))
    return out


def sentiment(rows, m):
    out = []
    for t, labs in rows:
        if labs == ['neutral'] or labs == ['none']:
            out.append((t, ['neutral']))
            continue
        s = {m.get(l) for l in labs} - {None}
        if s in ({'positive'}, {'negative'}):
            out.append((t, [s.pop()]))
    return out


def write(name, rows):
    with open(os.path.join(OUT, name), 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(['text', 'label'])
        for t, ls in rows:
            w.writerow([t.replace('\r', ' ').replace('\n', ' '), ';'.join(ls)])


def split(rows, seed=42, frac=0.15):
    """Stratified by the (sorted) label set; fixed seed."""
    rnd = random.Random(seed)
    by = defaultdict(list)
    for r in rows:
        by[';'.join(r[1])].append(r)
    tr, dv = [], []
    for k in sorted(by):
        g = by[k][:]
        rnd.shuffle(g)
        n = int(round(len(g) * frac))
        dv += g[:n]
        tr += g[n:]
    rnd.shuffle(tr)
    rnd.shuffle(dv)
    return tr, dv


def task(name, rows, evaluate):
    write(name + '-full.csv', rows)
    if evaluate:
        tr, dv = split(rows)
        write(name + '-train.csv', tr)
        write(name + '-dev.csv', dv)
    print(f'{name}: {len(rows)} rows', file=sys.stderr)


b77 = []
with open(os.path.join(D, 'banking77/train.csv'), newline='', encoding='utf-8') as f:
    for r in csv.DictReader(f):
        b77.append((r['text'], [r['category']]))
bitext = []
with open(os.path.join(D, 'bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv'),
          newline='', encoding='utf-8') as f:
    for r in csv.DictReader(f):
        bitext.append((r['instruction'], [r['intent']]))
go, rgo, ce = goemotions(), ru_goemotions(), cedr()

task('banking77', b77, True)
task('goemotions_ekman', mapped(go, dict(FINE2EK, neutral='neutral')), True)
task('cedr', ce, True)
task('sentiment', sentiment(go, FINE2SENT), True)
task('en-emotion', mapped(go, FINE2PROD), False)
task('ru-emotion', mapped(ce, CEDR2PROD) + mapped(rgo, FINE2PROD), False)
task('en-sentiment', sentiment(go, FINE2SENT), False)
task('ru-sentiment', sentiment(ce, CEDR2SENT) + sentiment(rgo, FINE2SENT), False)
task('en-intent', bitext, False)
