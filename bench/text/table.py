#!/usr/bin/env python3
"""table.py — the markdown table of bench/text/results/*.json for docs/text-quality.md."""
import json, os
R = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results')
print('| task | dev rows | system | accuracy | macro-F1 | micro-F1 | train+tune time |')
print('|---|---:|---|---:|---:|---:|---:|')
for t in ['banking77', 'goemotions_ekman', 'cedr', 'sentiment']:
    for s in ['parley', 'tfidf', 'fasttext']:
        p = os.path.join(R, f'{t}-{s}.json')
        if not os.path.exists(p) or os.path.getsize(p) == 0:   # not run, or interrupted
            continue
        m = json.load(open(p))
        name = {'parley': '**Parley**', 'tfidf': 'TF-IDF + LR (sklearn)', 'fasttext': 'fastText (autotune + grid)'}[s]
        print(f"| {t} | {m['n']} | {name} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | {m['micro_f1']:.4f} | {m['seconds']} s |")
