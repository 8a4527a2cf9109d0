#!/usr/bin/env python3
"""baselines.py SYSTEM TRAIN.csv DEV.csv [--multi-label] — trains a baseline on
TRAIN and prints the same JSON metrics as `parley eval` on DEV.

SYSTEM is `tfidf` (sklearn TF-IDF word 1-2 + char_wb 2-5 n-grams, sublinear tf,
logistic regression, C chosen on a stratified 15% of TRAIN, seed 42) or
`fasttext` (Debian `fasttext supervised`; the best on the same 15% of TRAIN of
-autotune-validation and a small grid; multi-label with -loss ova). Multi-label predictions take every
label with p >= threshold (tuned per label on the same 15% for tfidf, 0.5
for fastText), and the top label when none passes — exactly as `parley eval`."""
import csv, json, os, random, subprocess, sys, tempfile, time
from collections import defaultdict


def load(p, multi):
    X, Y = [], []
    with open(p, newline='', encoding='utf-8') as f:
        for r in csv.DictReader(f):
            X.append(r['text'])
            Y.append(sorted(set(r['label'].split(';'))) if multi else [r['label']])
    return X, Y


def metrics(gold, pred):
    labels = sorted({l for g in gold for l in g} | {l for p in pred for l in p})
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
    acc = 0
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        acc += g == p
        for l in p & g: tp[l] += 1
        for l in p - g: fp[l] += 1
        for l in g - p: fn[l] += 1
    per, f1s = {}, []
    for l in labels:
        pr = tp[l] / (tp[l] + fp[l]) if tp[l] + fp[l] else 0
        rc = tp[l] / (tp[l] + fn[l]) if tp[l] + fn[l] else 0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0
        per[l] = dict(precision=round(pr, 4), recall=round(rc, 4), f1=round(f, 4), support=tp[l] + fn[l])
        f1s.append(f)
    T, P, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    mp, mr = T / (T + P) if T + P else 0, T / (T + N) if T + N else 0
    return dict(n=len(gold), accuracy=round(acc / len(gold), 4), macro_f1=round(sum(f1s) / len(f1s), 4),
                micro_f1=round(2 * mp * mr / (mp + mr), 4) if mp + mr else 0, labels=per)


def carve(X, Y, seed=42, frac=0.15):
    rnd = random.Random(seed)
    by = defaultdict(list)
    for i, y in enumerate(Y):
        by[';'.join(y)].append(i)
    tr, va = [], []
    for k in sorted(by):
        g = by[k][:]
        rnd.shuffle(g)
        n = int(round(len(g) * frac))
        va += g[:n]
        tr += g[n:]
    return tr, va


def decide(P, labels, thr, multi):
    out = []
    for row in P:
        best = max(range(len(labels)), key=lambda j: row[j])
        if not multi:
            out.append([labels[best]])
            continue
        s = [labels[j] for j in range(len(labels)) if row[j] >= thr[j]]
        out.append(s or [labels[best]])
    return out


def tfidf(Xtr, Ytr, Xdv, multi):
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    def fit(X, Y, C):
        w = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        c = TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        M = hstack([w.fit_transform(X), c.fit_transform(X)]).tocsr()
        mlb = MultiLabelBinarizer()
        Yb = mlb.fit_transform(Y)
        if multi:
            clf = OneVsRestClassifier(LogisticRegression(C=C, solver='liblinear'))
            clf.fit(M, Yb)
        else:
            clf = LogisticRegression(C=C, solver='liblinear')
            clf.fit(M, [y[0] for y in Y])
        def proba(Xs):
            Z = hstack([w.transform(Xs), c.transform(Xs)]).tocsr()
            return clf.predict_proba(Z)
        return proba, list(mlb.classes_) if multi else list(clf.classes_)

    tr, va = carve(Xtr, Ytr)
    best = None
    for C in (1, 10, 100):
        proba, labels = fit([Xtr[i] for i in tr], [Ytr[i] for i in tr], C)
        P = proba([Xtr[i] for i in va])
        gold = [Ytr[i] for i in va]
        thr = [0.5] * len(labels)
        if multi:
            for j, l in enumerate(labels):
                bt, bf = 0.5, -1
                for t in np.arange(0.05, 0.96, 0.025):
                    tp = sum(1 for k in range(len(gold)) if P[k][j] >= t and l in gold[k])
                    fp = sum(1 for k in range(len(gold)) if P[k][j] >= t and l not in gold[k])
                    fn = sum(1 for k in range(len(gold)) if P[k][j] < t and l in gold[k])
                    f = 2 * tp / (2 * tp + fp + fn) if tp else 0
                    if f > bf: bf, bt = f, t
                thr[j] = bt
        m = metrics(gold, decide(P, labels, thr, multi))
        sc = m['accuracy'] + m['macro_f1']
        if best is None or sc > best[0]:
            best = (sc, C, thr)
    _, C, thr = best
    proba, labels = fit(Xtr, Ytr, C)
    return decide(proba(Xdv), labels, thr, multi), dict(C=C)


def fasttext(Xtr, Ytr, Xdv, multi, duration):
    """Autotune on the validation slice, plus a small manual grid (autotune
    with a short budget on one thread can settle on a poor model); the
    candidate with the best accuracy + macro-F1 on the slice is kept."""
    tr, va = carve(Xtr, Ytr)
    d = tempfile.mkdtemp()
    def wr(p, idx, X, Y):
        with open(p, 'w', encoding='utf-8') as f:
            for i in idx:
                t = ' '.join(X[i].split())
                f.write(' '.join('__label__' + l.replace(' ', '_') for l in Y[i]) + ' ' + t + '\n')
    wr(d + '/tr.txt', tr, Xtr, Ytr)
    wr(d + '/va.txt', va, Xtr, Ytr)
    def predict(model, X):
        with open(d + '/in.txt', 'w', encoding='utf-8') as f:
            for t in X:
                f.write(' '.join(t.split()) + '\n')
        out = subprocess.run(['fasttext', 'predict-prob', model, d + '/in.txt', '-1', '0.0'],
                             check=True, capture_output=True, text=True).stdout.splitlines()
        pred = []
        for line in out:
            toks = line.split()
            pairs = [(toks[i][9:], float(toks[i + 1])) for i in range(0, len(toks), 2)]
            if not multi:
                pred.append([pairs[0][0]])
            else:
                s = [l for l, p in pairs if p >= 0.5]
                pred.append(s or [pairs[0][0]])
        return pred
    loss = ['-loss', 'ova'] if multi else []
    cands = [('autotune', ['-autotune-validation', d + '/va.txt', '-autotune-duration', str(duration)])]
    for ep, lr in ((25, 0.5), (25, 1.0), (10, 0.5)):
        cands.append((f'epoch={ep},lr={lr},wordNgrams=2', ['-epoch', str(ep), '-lr', str(lr), '-wordNgrams', '2']))
    best = None
    for k, (name, args) in enumerate(cands):
        out = f'{d}/m{k}'
        subprocess.run(['fasttext', 'supervised', '-input', d + '/tr.txt', '-output', out, '-thread', '1',
                        '-verbose', '0'] + loss + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        m = metrics([Ytr[i] for i in va], predict(out + '.bin', [Xtr[i] for i in va]))
        sc = m['accuracy'] + m['macro_f1']
        if best is None or sc > best[0]:
            best = (sc, name, out + '.bin', args)
    model = best[2]
    if best[1] != 'autotune':   # a grid winner is retrained on the whole training split
        wr(d + '/all.txt', range(len(Xtr)), Xtr, Ytr)
        subprocess.run(['fasttext', 'supervised', '-input', d + '/all.txt', '-output', d + '/final',
                        '-thread', '1', '-verbose', '0'] + loss + best[3], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        model = d + '/final.bin'
    return predict(model, Xdv), dict(config=best[1])


def main():
    system, trp, dvp = sys.argv[1:4]
    multi = '--multi-label' in sys.argv
    Xtr, Ytr = load(trp, multi)
    Xdv, Ydv = load(dvp, multi)
    t0 = time.time()
    if system == 'tfidf':
        pred, info = tfidf(Xtr, Ytr, Xdv, multi)
    else:
        dur = int(os.environ.get('FASTTEXT_AUTOTUNE_SECONDS', '120'))
        pred, info = fasttext(Xtr, Ytr, Xdv, multi, dur)
    m = metrics(Ydv, pred)
    m['system'] = system
    m['seconds'] = round(time.time() - t0, 1)
    m.update(info)
    print(json.dumps(m, ensure_ascii=False))


main()
