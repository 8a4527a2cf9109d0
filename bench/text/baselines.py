#!/usr/bin/env python3
"""baselines.py SYSTEM TRAIN.csv DEV.csv [--multi-label] — trains a baseline on
TRAIN and prints the same JSON metrics as `parley eval` on DEV.

SYSTEM is `tfidf` (sklearn TF-IDF word 1-2 + char_wb 2-5 n-grams, sublinear tf,
logistic regression, C from {1, 10, 100, 1000}) or `fasttext` (Debian
`fasttext supervised` on fastText's own lower-cased, punctuation-split text;
the best of -autotune-validation and a small grid, retrained on all of
TRAIN; multi-label with -loss ova). Choices are made on a stratified 15% of
TRAIN (seed 42), never on DEV. Multi-label predictions take every label with
p >= its threshold (tuned on that 15% exactly as `parley train` tunes its
own), and the top label when none passes — exactly as `parley eval`. Every
candidate is scored as `parley train` scores its own: accuracy + macro-F1 on
the slice, multi-label with thresholds tuned on one half of the slice and
scored on the other (both ways)."""
import csv, json, os, random, re, resource, subprocess, sys, tempfile, time
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
    # Shuffled again: grouped by label, the rows would reach an SGD learner
    # (fastText) one class after another and it would learn only the last.
    rnd.shuffle(tr)
    rnd.shuffle(va)
    return tr, va


def decided_score(P, G, thr):
    """Macro-F1 + exact-match accuracy of the multi-label decision (every
    label over its threshold, else the top label) — numpy arrays P, G (0/1)
    of shape rows x labels."""
    import numpy as np
    D = P >= thr
    top = P.argmax(1)
    none = ~(P >= thr).any(1)
    D[none, top[none]] = True
    tp = (D & G).sum(0)
    f = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + (D & ~G).sum(0) + (~D & G).sum(0), 1), 0)
    return f.mean() + (D == G).all(1).mean()


def tune_thresholds(P, gold, labels):
    """Per-label decision thresholds tuned on a validation slice exactly as
    `parley train` tunes its own (src/text/model.c): each label's F1-best
    threshold, then two rounds of moving one threshold at a time to where
    macro-F1 + exact-match accuracy of the decided predictions is best."""
    import numpy as np
    P = np.asarray(P, dtype=float)
    G = np.array([[l in g for l in labels] for g in gold])
    grid = [0.05 + 0.025 * k for k in range(37)]
    thr = np.full(len(labels), 0.5)
    for j in range(len(labels)):
        bf = -1
        for t in grid:
            p = P[:, j] >= t
            tp = (p & G[:, j]).sum()
            f = 2 * tp / (2 * tp + (p & ~G[:, j]).sum() + (~p & G[:, j]).sum()) if tp else 0
            if f > bf + 1e-9:
                bf, thr[j] = f, t
    best = decided_score(P, G, thr)
    for _ in range(2):
        for j in range(len(labels)):
            keep = thr[j]
            for t in grid:
                thr[j] = t
                sc = decided_score(P, G, thr)
                if sc > best + 1e-9:
                    best, keep = sc, t
            thr[j] = keep
    return list(thr)


def select(P, gold, labels, multi):
    """A candidate's score on the validation slice and its thresholds, as
    `parley train` chooses C (src/text/model.c, holdout_score): accuracy +
    macro-F1; multi-label, thresholds tuned on one half of the slice (rows
    i % 2) are scored on the other half, both ways averaged, and the
    thresholds kept are those tuned on the whole slice."""
    if not multi:
        m = metrics(gold, decide(P, labels, [0.5] * len(labels), multi))
        return m['accuracy'] + m['macro_f1'], [0.5] * len(labels)
    sc = 0
    for half in (0, 1):
        a = [i for i in range(len(gold)) if i % 2 == half]
        b = [i for i in range(len(gold)) if i % 2 != half]
        thr = tune_thresholds([P[i] for i in a], [gold[i] for i in a], labels)
        m = metrics([gold[i] for i in b], decide([P[i] for i in b], labels, thr, multi))
        sc += (m['accuracy'] + m['macro_f1']) / 2
    return sc, tune_thresholds(P, gold, labels)


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
    for C in (1, 10, 100, 1000):
        proba, labels = fit([Xtr[i] for i in tr], [Ytr[i] for i in tr], C)
        sc, thr = select(proba([Xtr[i] for i in va]), [Ytr[i] for i in va], labels, multi)
        if best is None or sc > best[0]:
            best = (sc, C, thr)
    _, C, thr = best
    proba, labels = fit(Xtr, Ytr, C)
    return decide(proba(Xdv), labels, thr, multi), dict(C=C)


FT_GRID = [  # epoch, lr, wordNgrams, minn, maxn
    (10, 0.5, 2, 0, 0), (25, 0.5, 2, 2, 5), (50, 0.25, 2, 2, 5)]
FT_MEMORY = 6 << 30   # address-space cap per fastText run; a trial that needs more fails
FT_TUNED = ['epoch', 'lr', 'dim', 'wordNgrams', 'minn', 'maxn', 'bucket', 'dsub', 'loss', 'minCount']


def ft_text(t):
    """fastText's own recipe (its examples' normalisation): lower case, and
    punctuation split off the words."""
    return ' '.join(re.sub(r"([.!?,'/()\"*:;])", r' \1 ', t.lower()).split())


def fasttext(Xtr, Ytr, Xdv, multi, duration):
    """Candidates, each trained on 85% of TRAIN and scored on the other 15%
    (the validation slice): `-autotune-validation` on that slice, and a small
    grid. Multi-label runs use -loss ova and a probability threshold per
    label tuned on the slice, as for TF-IDF. The best candidate's settings
    are retrained on the whole of TRAIN."""
    tr, va = carve(Xtr, Ytr)
    d = tempfile.mkdtemp()
    def wr(p, idx):
        with open(p, 'w', encoding='utf-8') as f:
            for i in idx:
                f.write(' '.join('__label__' + l.replace(' ', '_') for l in Ytr[i]) + ' ' + ft_text(Xtr[i]) + '\n')
    wr(d + '/tr.txt', tr)
    wr(d + '/va.txt', va)
    def cap():   # autotune draws dim up to ~1000 and 10M buckets: tens of GB
        resource.setrlimit(resource.RLIMIT_AS, (FT_MEMORY, FT_MEMORY))
    def run(args):
        return subprocess.run(['fasttext', 'supervised', '-thread', '1'] + args, check=True,
                              capture_output=True, text=True, preexec_fn=cap).stdout
    def proba(model, X):
        with open(d + '/in.txt', 'w', encoding='utf-8') as f:
            for t in X:
                f.write(ft_text(t) + '\n')
        out = subprocess.run(['fasttext', 'predict-prob', model, d + '/in.txt', '-1', '0.0'],
                             check=True, capture_output=True, text=True).stdout.splitlines()
        assert len(out) == len(X), 'fastText skipped input lines'
        P = []
        for line in out:
            toks = line.split()
            P.append({toks[i][9:]: float(toks[i + 1]) for i in range(0, len(toks), 2)})
        return P
    labels = sorted({l for y in Ytr for l in y})
    def matrix(P):
        return [[p.get(l.replace(' ', '_'), 0.0) for l in labels] for p in P]
    loss = ['-loss', 'ova'] if multi else []
    cands = [('autotune', loss + ['-autotune-validation', d + '/va.txt', '-autotune-duration', str(duration),
                                  '-verbose', '3'])]
    for ep, lr, ng, mn, mx in FT_GRID:
        cands.append((f'epoch={ep},lr={lr},wordNgrams={ng},minn={mn},maxn={mx}',
                      loss + ['-verbose', '0', '-epoch', str(ep), '-lr', str(lr), '-wordNgrams', str(ng), '-minn', str(mn), '-maxn', str(mx)]))
    best, tried = None, {}
    gold = [Ytr[i] for i in va]
    for k, (name, args) in enumerate(cands):
        out = f'{d}/m{k}'
        try:
            log = run(['-input', d + '/tr.txt', '-output', out] + args)
        except subprocess.CalledProcessError as e:   # a trial over FT_MEMORY aborts fastText
            tried[name] = 'failed: ' + e.stderr.strip().splitlines()[-1][-80:]
            continue
        if name == 'autotune':   # the settings it found, to retrain them on all of TRAIN
            found = log[log.rindex('Best selected args'):].splitlines()[1:]
            a = dict(l.split(' = ') for l in found if ' = ' in l)
            a['loss'] = {'one-vs-all': 'ova'}.get(a.get('loss'), a.get('loss'))
            args = sum((['-' + key, a[key]] for key in FT_TUNED if key in a), ['-verbose', '0'])
            name = 'autotune: ' + ' '.join(args[2:])
        P = matrix(proba(out + '.bin', [Xtr[i] for i in va]))
        sc, thr = select(P, gold, labels, multi)
        tried[name] = round(sc, 4)
        if best is None or sc > best[0]:
            best = (sc, name, args, thr)
    wr(d + '/all.txt', range(len(Xtr)))
    run(['-input', d + '/all.txt', '-output', d + '/final'] + best[2])
    pred = decide(matrix(proba(d + '/final.bin', Xdv)), labels, best[3], multi)
    return pred, dict(config=best[1], candidates=tried)


def main():
    system, trp, dvp = sys.argv[1:4]
    multi = '--multi-label' in sys.argv
    Xtr, Ytr = load(trp, multi)
    Xdv, Ydv = load(dvp, multi)
    t0 = time.time()
    if system == 'tfidf':
        pred, info = tfidf(Xtr, Ytr, Xdv, multi)
    else:
        dur = int(os.environ.get('FASTTEXT_AUTOTUNE_SECONDS', '90'))
        pred, info = fasttext(Xtr, Ytr, Xdv, multi, dur)
    m = metrics(Ydv, pred)
    m['system'] = system
    m['seconds'] = round(time.time() - t0, 1)
    m.update(info)
    print(json.dumps(m, ensure_ascii=False))


if __name__ == '__main__':
    main()
