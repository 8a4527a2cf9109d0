/* risk_eval.c — evaluates the three risk models on synthetic histories
 * whose true model is known: train on the earlier 70%, test on the later
 * 30% (time split, with a drift of the base rate between them), and print
 * AUC, Brier score, expected calibration error and a reliability table.
 * Deterministic (docs/insight-quality.md).
 *
 * usage: risk_eval [--n N] [--l2 L] [--drift D] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/risk.h"
#include "risk_synth.h"

int main(int argc, char **argv)
{
    size_t n = 20000;
    double l2 = 1.0, drift = 0.3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--l2"))
            l2 = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--drift"))
            drift = atof(argv[i + 1]);
        else {
            fprintf(stderr, "usage: risk_eval [--n N] [--l2 L] [--drift D]\n");
            return 2;
        }
    }
    if (n < 100 || n > 2000000)
        n = 20000;
    size_t ntr = n * 7 / 10, nte = n - ntr;
    printf("n = %zu (train %zu earlier, test %zu later), L2 = %g, base-rate drift %+.2f "
           "log-odds over the history\n\n",
           n, ntr, nte, l2, drift);
    printf("| model | test prevalence | AUC | AUC of the true model | Brier | Brier of "
           "prevalence-only | ECE (10 bins) |\n|---|---:|---:|---:|---:|---:|---:|\n");
    struct insight_calibration cal[INSIGHT_RISK__COUNT];
    struct insight_risk_model models[INSIGHT_RISK__COUNT];
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++) {
        int d = insight_risk_nfeatures((enum insight_risk_kind)k);
        double *X = malloc(n * (size_t)d * sizeof *X), *p = malloc(n * sizeof *p);
        double *s = malloc(nte * sizeof *s), *base = malloc(nte * sizeof *base);
        int *y = malloc(n * sizeof *y);
        struct insight_rng r = {777ULL + (uint64_t)k};
        synth_risk((enum insight_risk_kind)k, &r, n, drift, X, y, p);
        struct insight_risk_model *m = &models[k];
        if (insight_risk_train(m, (enum insight_risk_kind)k, X, y, ntr, l2)) {
            fprintf(stderr, "training failed\n");
            return 1;
        }
        double prev = 0;
        for (size_t i = 0; i < nte; i++) {
            s[i] = insight_risk_predict(m, X + (ntr + i) * (size_t)d);
            base[i] = m->prevalence;
            prev += y[ntr + i];
        }
        struct insight_calibration cb;
        insight_calibrate(s, y + ntr, nte, 10, &cal[k]);
        insight_calibrate(base, y + ntr, nte, 10, &cb);
        printf("| %s | %.3f | %.3f | %.3f | %.4f | %.4f | %.4f |\n",
               insight_risk_kind_name((enum insight_risk_kind)k), prev / (double)nte,
               insight_auc(s, y + ntr, nte), insight_auc(p + ntr, y + ntr, nte), cal[k].brier,
               cb.brier, cal[k].ece);
        free(X);
        free(p);
        free(s);
        free(base);
        free(y);
    }
    printf("\nReliability (test period): predicted → observed (count)\n\n| bin |");
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++)
        printf(" %s |", insight_risk_kind_name((enum insight_risk_kind)k));
    printf("\n|---|---|---|---|\n");
    for (int b = 0; b < 10; b++) {
        printf("| %.1f–%.1f |", b / 10.0, (b + 1) / 10.0);
        for (int k = 0; k < INSIGHT_RISK__COUNT; k++) {
            if (cal[k].count[b])
                printf(" %.3f → %.3f (%lld) |", cal[k].mean_pred[b], cal[k].observed[b],
                       (long long)cal[k].count[b]);
            else
                printf(" – |");
        }
        printf("\n");
    }
    printf("\nLargest standardised weights (log-odds per standard deviation)\n\n");
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++) {
        struct insight_risk_model *m = &models[k];
        int idx[INSIGHT_RISK_MAX_FEATURES];
        for (int j = 0; j < m->d; j++)
            idx[j] = j;
        for (int a = 0; a < m->d; a++)
            for (int b = a + 1; b < m->d; b++)
                if (fabs(m->w[idx[b]]) > fabs(m->w[idx[a]])) {
                    int t = idx[a];
                    idx[a] = idx[b];
                    idx[b] = t;
                }
        printf("- %s:", insight_risk_kind_name(m->kind));
        for (int j = 0; j < 5; j++)
            printf(" %s %+.2f%s", insight_risk_feature_name(m->kind, idx[j]), m->w[idx[j]],
                   j < 4 ? "," : "\n");
    }
    return 0;
}
