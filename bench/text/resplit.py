#!/usr/bin/env python3
"""resplit.py PARLEY_BINARY TASK [SEED...] — how stable a dev-split comparison
is: carves the task's training split (never its dev split) again into 85 %
to train and 15 % to score, once per seed, exactly as baselines.py carves
its validation slice, and runs Parley (`parley train` / `parley eval`) and
TF-IDF + LR (baselines.py, its full procedure) on each. Prints one line per
seed and system, then the means and how often Parley is at or above.

Needs the CSVs of compare.sh (prep.py) in $TMPDIR/parley-text-compare.
TF-IDF + LR's result for a seed is kept in resplit-cache/ there, keyed by
the task's CSV and baselines.py, so trying a change to Parley reruns only
Parley."""
import hashlib, json, os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baselines import carve, load

MULTI = {'goemotions_ekman', 'cedr'}
PY = '/usr/bin/python3'   # scikit-learn's, as in compare.sh


def write(path, X, Y, idx):
    import csv
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(['text', 'label'])
        for i in idx:
            w.writerow([X[i], ';'.join(Y[i])])


def run(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def cached(key, cmd):
    """run(cmd), remembered under key."""
    path = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'parley-text-compare', 'resplit-cache',
                        key + '.json')
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    m = run(cmd)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(m, f)
    os.replace(path + '.tmp', path)
    return m


def main():
    binary, task = sys.argv[1:3]
    seeds = [int(s) for s in sys.argv[3:]] or [42, 7, 99, 1, 2, 3]
    multi = task in MULTI
    ml = ['--multi-label'] if multi else []
    src = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'parley-text-compare', task + '-train.csv')
    X, Y = load(src, multi)
    d = tempfile.mkdtemp()
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for p in (src, os.path.join(here, 'baselines.py')):
        with open(p, 'rb') as f:
            h.update(f.read())
    res = {'parley': [], 'tfidf': []}
    for seed in seeds:
        a, b = carve(X, Y, seed=seed)
        write(f'{d}/a.csv', X, Y, a)
        write(f'{d}/b.csv', X, Y, b)
        subprocess.run([binary, 'train', '--quiet', '--task', task, '--train', f'{d}/a.csv',
                        '--out', f'{d}/m.model'] + ml, check=True)
        res['parley'].append(run([binary, 'eval', '--model', f'{d}/m.model', '--test', f'{d}/b.csv']))
        res['tfidf'].append(cached(f'{task}-{seed}-tfidf-{h.hexdigest()[:16]}',
                                   [PY, os.path.join(here, 'baselines.py'), 'tfidf',
                                    f'{d}/a.csv', f'{d}/b.csv'] + ml))
        for s in res:
            m = res[s][-1]
            print(f"{task} seed {seed:3d} {s:7s} acc {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}",
                  flush=True)
    n = len(seeds)
    for s in res:
        print(f"{task} mean ({n} seeds) {s:7s} acc {sum(m['accuracy'] for m in res[s]) / n:.4f}  "
              f"macro-F1 {sum(m['macro_f1'] for m in res[s]) / n:.4f}")
    for k in ('accuracy', 'macro_f1'):
        ge = sum(p[k] >= t[k] for p, t in zip(res['parley'], res['tfidf']))
        print(f"{task} Parley at or above TF-IDF + LR on {k}: {ge} of {n} seeds")


if __name__ == "__main__":
    main()
