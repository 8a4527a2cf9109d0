/* model.c — linear models over hashed features: training with liblinear
 * (L2-regularised logistic regression; one-vs-rest, or one binary model
 * per label for multi-label), prediction, and the versioned file format.
 *
 * File format (little-endian), version 1:
 *   "PARLEYTM" | u32 version | u32 flags (1 = multi-label)
 *   | str task | u32 nlabels | str label * nlabels      (str = u32 len + bytes)
 *   | u8 hash_bits, word_ngrams, char_min, char_max, stem_lang, 0, 0, 0
 *   | u32 nfeat | u32 feat[nfeat] | f32 idf[nfeat]
 *   | f32 scale[nlabels] | f32 bias[nlabels] | f32 thresh[nlabels]
 *   | i8 w[nfeat * nlabels] | u64 FNV-1a of every preceding byte
 * Weights are quantised per label: w = q * scale. A model trained with
 * naive-Bayes scaling has the ratios folded into w, so it is read and
 * applied like any other. */
#include "text/text_internal.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <errno.h>
#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "PARLEYTM"
#define VERSION 1u
#define MIN_DF 1

void text_model_free(struct text_model *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nlabels && m->labels; i++)
        free(m->labels[i]);
    free(m->labels);
    free(m->index);
    free(m->feat);
    free(m->idf);
    free(m->w);
    free(m->scale);
    free(m->bias);
    free(m->thresh);
    free(m);
}

static void set_err(char **err, const char *fmt, const char *a, const char *b)
{
    if (err)
        *err = xasprintf(fmt, a, b);
}

/* ---- prediction --------------------------------------------------------- */

static float sigm(float z)
{
    return 1.0f / (1.0f + expf(-z));
}

void text_model_predict_fv(const struct text_model *m, struct text_scratch *s,
                           const struct text_fvec *fv, float *probs)
{
    uint32_t L = m->nlabels;
    if (s->tmp_cap < 2 * L) {
        s->tmp = xrealloc(s->tmp, 2 * L * sizeof *s->tmp);
        s->tmp_cap = 2 * L;
    }
    float *acc = s->tmp;     /* [0,L): word block, [L,2L): character block */
    memset(acc, 0, 2 * L * sizeof *acc);
    double norm[2] = {0, 0};
    for (size_t i = 0; i < fv->n; i++) {
        int32_t r = m->index[fv->id[i] & TEXT_FID_MASK];
        if (r < 0)
            continue;
        unsigned blk = fv->id[i] >> 31;
        float v = fv->val[i] * m->idf[r];
        norm[blk] += (double)v * v;
        const int8_t *w = m->w + (size_t)r * L;
        float *a = acc + blk * L;
        for (uint32_t l = 0; l < L; l++)
            a[l] += v * w[l];
    }
    float inv0 = norm[0] > 0 ? (float)(1.0 / sqrt(norm[0])) : 0;
    float inv1 = norm[1] > 0 ? (float)(1.0 / sqrt(norm[1])) : 0;
    double sum = 0;
    for (uint32_t l = 0; l < L; l++) {
        probs[l] = sigm((acc[l] * inv0 + acc[L + l] * inv1) * m->scale[l] + m->bias[l]);
        sum += probs[l];
    }
    if (!m->multi_label && sum > 0)
        for (uint32_t l = 0; l < L; l++)
            probs[l] = (float)(probs[l] / sum);
}

void text_model_predict_doc(const struct text_model *m, struct text_scratch *s,
                            const struct text_doc *d, float *probs)
{
    text_features(s, d, &m->cfg, &s->fv);
    text_model_predict_fv(m, s, &s->fv, probs);
}

int text_model_predict(const struct text_model *m, const char *str, size_t n, float *probs)
{
    struct text_scratch *s = text_scratch_get();
    int rc = text_doc_parse(&s->doc, str, n);
    if (rc)
        return rc;
    text_model_predict_doc(m, s, &s->doc, probs);
    return 0;
}

/* ---- training ----------------------------------------------------------- */

static void quiet(const char *s)
{
    (void)s;
}

static int cmp_node(const void *a, const void *b)
{
    const struct feature_node *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* Trains one liblinear model on rows sel[0..ns) with targets y (0/1 or
 * class ids) and returns weights for each target class in cls[0..ncls):
 * W[(row) * ncls + k], bias in B[k]. */
static void fit(struct feature_node **x, const uint32_t *sel, size_t ns, const double *yall,
                uint32_t nfeat, double C, const int *cls, uint32_t ncls, double *W, double *B)
{
    struct problem prob;
    prob.l = (int)ns;
    prob.n = (int)nfeat + 1;
    prob.bias = -1;
    prob.x = xmalloc(ns * sizeof *prob.x);
    prob.y = xmalloc(ns * sizeof *prob.y);
    for (size_t i = 0; i < ns; i++) {
        prob.x[i] = x[sel[i]];
        prob.y[i] = yall[sel[i]];
    }
    struct parameter par;
    memset(&par, 0, sizeof par);
    par.solver_type = L2R_LR_DUAL;
    par.eps = 0.01;
    par.C = C;
    memset(W, 0, (size_t)nfeat * ncls * sizeof *W);
    for (uint32_t k = 0; k < ncls; k++)
        B[k] = -10;
    /* a target with a single class present gets a constant model */
    int seen0 = 0, seen1 = 0;
    for (size_t i = 0; i < ns; i++)
        if (prob.y[i] == cls[0])
            seen1 = 1;
        else
            seen0 = 1;
    if (ncls == 1 && !(seen0 && seen1)) {
        B[0] = seen1 ? 10 : -10;
        goto out;
    }
    srand(1);   /* liblinear's solver draws its order with rand(): same rows, same model */
    struct model *mod = train(&prob, &par);
    int nc = get_nr_class(mod);
    int *labs = xmalloc((size_t)nc * sizeof *labs);
    get_labels(mod, labs);
    for (uint32_t k = 0; k < ncls; k++) {
        int li = -1;
        for (int j = 0; j < nc; j++)
            if (labs[j] == cls[k])
                li = j;
        if (li < 0)
            continue;        /* class absent from this subset */
        if (nc == 1) {
            B[k] = 10;
            continue;
        }
        for (uint32_t f = 0; f < nfeat; f++)
            W[(size_t)f * ncls + k] = get_decfun_coef(mod, (int)f + 1, li);
        B[k] = get_decfun_coef(mod, (int)nfeat + 1, li);
    }
    free(labs);
    free_and_destroy_model(&mod);
out:
    free(prob.x);
    free(prob.y);
}

/* Scores of row x for every label of a trained weight matrix. */
static void scores(const struct feature_node *x, uint32_t nfeat, const double *W, const double *B,
                   uint32_t L, double *z)
{
    for (uint32_t l = 0; l < L; l++)
        z[l] = B[l];
    for (; x->index != -1; x++) {
        if ((uint32_t)x->index > nfeat)
            continue;       /* the bias node */
        const double *w = W + (size_t)(x->index - 1) * L;
        for (uint32_t l = 0; l < L; l++)
            z[l] += x->value * w[l];
    }
}

static int has_label(const struct text_train_set *ts, size_t i, uint32_t l)
{
    for (uint32_t j = ts->lab_off[i]; j < ts->lab_off[i + 1]; j++)
        if (ts->lab[j] == l)
            return 1;
    return 0;
}

/* The naive-Bayes log-count ratio of every feature for a binary target y
 * over the rows sel (Wang & Manning's NBSVM, in the form commonly applied
 * to tf-idf rows): r[f] = log(((sum of x_f over positive rows + 1) /
 * (positives + 1)) / ((sum over negative rows + 1) / (negatives + 1))). */
static void nb_ratio(struct feature_node **x, const uint32_t *sel, size_t ns, const double *y,
                     uint32_t nfeat, double *r)
{
    double *pos = xcalloc(nfeat, sizeof *pos), *neg = xcalloc(nfeat, sizeof *neg);
    double npos = 0, nneg = 0;
    for (size_t i = 0; i < ns; i++) {
        int p = y[sel[i]] > 0.5;
        double *acc = p ? pos : neg;
        p ? npos++ : nneg++;
        for (const struct feature_node *e = x[sel[i]]; e->index != -1; e++)
            if ((uint32_t)e->index <= nfeat)
                acc[e->index - 1] += e->value;
    }
    for (uint32_t f = 0; f < nfeat; f++)
        r[f] = log(((pos[f] + 1) / (npos + 1)) / ((neg[f] + 1) / (nneg + 1)));
    free(pos);
    free(neg);
}

/* Copies rows sel of x into pool, each feature multiplied by r (the bias
 * node kept), and points xs[row] at each copy. */
static void scale_rows(struct feature_node **x, const uint32_t *sel, size_t ns, const double *r,
                       uint32_t nfeat, struct feature_node *pool, struct feature_node **xs)
{
    struct feature_node *o = pool;
    for (size_t i = 0; i < ns; i++) {
        xs[sel[i]] = o;
        const struct feature_node *e = x[sel[i]];
        for (; e->index != -1; e++, o++) {
            *o = *e;
            if ((uint32_t)e->index <= nfeat)
                o->value *= r[e->index - 1];
        }
        *o++ = *e;
    }
}

/* One binary model per label: multi-label, or single-label one-vs-rest
 * with naive-Bayes scaling (nb). With nb each label's model is fitted on
 * rows scaled by that label's ratio, and the ratio is folded into the
 * weights (w[f] * r[f] applied to the unscaled row is w[f] applied to the
 * scaled one), so the model file and prediction are those of a plain
 * model. */
static void fit_per_label(struct feature_node **x, const uint32_t *sel, size_t ns,
                          const struct text_train_set *ts, int multi, int nb, uint32_t nfeat,
                          double C, double *W, double *B)
{
    uint32_t L = ts->nlabels;
    size_t nf1 = nfeat ? nfeat : 1;
    struct feature_node *pool = NULL, **xs = x;
    double *r = NULL;
    if (nb) {
        size_t total = 0;
        for (size_t i = 0; i < ns; i++) {
            const struct feature_node *e = x[sel[i]];
            while (e->index != -1)
                e++;
            total += (size_t)(e - x[sel[i]]) + 1;
        }
        pool = xmalloc(total * sizeof *pool);
        xs = xcalloc(ts->n, sizeof *xs);
        r = xmalloc(nf1 * sizeof *r);
    }
    double *y = xcalloc(ts->n, sizeof *y);
    double *Wl = xmalloc(nf1 * sizeof *Wl);
    int one = 1;
    for (uint32_t l = 0; l < L; l++) {
        for (size_t i = 0; i < ns; i++)
            y[sel[i]] = multi ? has_label(ts, sel[i], l) : ts->lab[ts->lab_off[sel[i]]] == l;
        if (nb) {
            nb_ratio(x, sel, ns, y, nfeat, r);
            scale_rows(x, sel, ns, r, nfeat, pool, xs);
        }
        fit(xs, sel, ns, y, nfeat, C, &one, 1, Wl, &B[l]);
        for (uint32_t f = 0; f < nfeat; f++)
            W[(size_t)f * L + l] = nb ? Wl[f] * r[f] : Wl[f];
    }
    if (nb) {
        free(pool);
        free(xs);
        free(r);
    }
    free(y);
    free(Wl);
}

/* Trains all labels on sel, with naive-Bayes scaling if nb; W is nfeat x L. */
static void fit_all(struct feature_node **x, const uint32_t *sel, size_t ns,
                    const struct text_train_set *ts, int multi, int nb, uint32_t nfeat,
                    double C, double *W, double *B)
{
    uint32_t L = ts->nlabels;
    if (multi || (nb && L > 1)) {
        fit_per_label(x, sel, ns, ts, multi, nb, nfeat, C, W, B);
        return;
    }
    if (L == 1) {           /* one class: a constant model */
        for (uint32_t f = 0; f < nfeat; f++)
            W[f] = 0;
        B[0] = 10;
        return;
    }
    double *y = xmalloc(ts->n * sizeof *y);
    int *cls = xmalloc(L * sizeof *cls);
    for (uint32_t l = 0; l < L; l++)
        cls[l] = (int)l;
    for (size_t i = 0; i < ts->n; i++)
        y[i] = ts->lab[ts->lab_off[i]];
    fit(x, sel, ns, y, nfeat, C, cls, L, W, B);
    free(cls);
    free(y);
}

/* Hold-out rows of one half (i % 2 == half) or, with half = -1, all. */
#define IN_HALF(i, half) ((half) < 0 || (int)((i) % 2) == (half))

/* The threshold for label l that maximises its F1 over the hold-out rows
 * of `half`, from probabilities P (nh x L). */
static float best_threshold(const double *P, const uint32_t *ho, size_t nh,
                            const struct text_train_set *ts, uint32_t l, int half)
{
    uint32_t L = ts->nlabels;
    double bestf = -1, bt = 0.5;
    for (double t = 0.05; t < 0.96; t += 0.025) {
        double tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < nh; i++) {
            if (!IN_HALF(i, half))
                continue;
            int p = P[i * L + l] >= t, g = has_label(ts, ho[i], l);
            tp += p && g, fp += p && !g, fn += !p && g;
        }
        double f = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
        if (f > bestf + 1e-9)
            bestf = f, bt = t;
    }
    return (float)bt;
}

/* Macro-F1 + accuracy of the predictions of P over the hold-out rows of
 * `half`: the top label (single-label, thr NULL), or every label over its
 * threshold and the top label when none is (multi-label) — as `parley
 * eval` decides. */
static double decided_score(const double *P, const uint32_t *ho, size_t nh,
                            const struct text_train_set *ts, const float *thr, int half)
{
    uint32_t L = ts->nlabels;
    double *tp = xcalloc(L, sizeof *tp), *fp = xcalloc(L, sizeof *fp), *fn = xcalloc(L, sizeof *fn);
    double acc = 0, n = 0, f1sum = 0;
    for (size_t i = 0; i < nh; i++) {
        if (!IN_HALF(i, half))
            continue;
        const double *p = P + i * L;
        uint32_t top = 0, npos = 0;
        for (uint32_t l = 1; l < L; l++)
            if (p[l] > p[top])
                top = l;
        for (uint32_t l = 0; l < L && thr; l++)
            npos += p[l] >= thr[l];
        int ok = 1;
        for (uint32_t l = 0; l < L; l++) {
            int pr = thr && npos ? p[l] >= thr[l] : l == top, g = has_label(ts, ho[i], l);
            tp[l] += pr && g, fp[l] += pr && !g, fn[l] += !pr && g;
            ok &= pr == g;
        }
        acc += ok;
        n++;
    }
    for (uint32_t l = 0; l < L; l++)
        f1sum += tp[l] > 0 ? 2 * tp[l] / (2 * tp[l] + fp[l] + fn[l]) : 0;
    free(tp), free(fp), free(fn);
    return f1sum / L + acc / (n ? n : 1);
}

/* Per-label thresholds for the rows of `half`: each label's F1-best
 * threshold, then two rounds of moving one threshold at a time to where
 * the decided predictions score best (macro-F1 + exact-match accuracy):
 * F1-best thresholds alone are low and predict too many labels. */
static void tune_thresholds(const double *P, const uint32_t *ho, size_t nh,
                            const struct text_train_set *ts, float *thr, int half)
{
    uint32_t L = ts->nlabels;
    for (uint32_t l = 0; l < L; l++)
        thr[l] = best_threshold(P, ho, nh, ts, l, half);
    double best = decided_score(P, ho, nh, ts, thr, half);
    for (int round = 0; round < 2; round++)
        for (uint32_t l = 0; l < L; l++) {
            float keep = thr[l];
            for (double t = 0.05; t < 0.96; t += 0.025) {
                thr[l] = (float)t;
                double sc = decided_score(P, ho, nh, ts, thr, half);
                if (sc > best + 1e-9)
                    best = sc, keep = thr[l];
            }
            thr[l] = keep;
        }
}

/* Scores a model on hold-out rows: macro-F1 + accuracy. For multi-label,
 * thresholds tuned on one half of the rows are scored on the other half
 * (both ways, averaged) so that the score is not flattered by tuning on
 * the rows it is measured on; thr gets thresholds tuned on all rows. */
static double holdout_score(struct feature_node **x, const uint32_t *ho, size_t nh,
                            const struct text_train_set *ts, int multi, uint32_t nfeat,
                            const double *W, const double *B, float *thr)
{
    uint32_t L = ts->nlabels;
    double *z = xmalloc(L * sizeof *z);
    double *P = xmalloc(nh * L * sizeof *P);
    for (size_t i = 0; i < nh; i++) {
        scores(x[ho[i]], nfeat, W, B, L, z);
        for (uint32_t l = 0; l < L; l++)
            P[i * L + l] = 1 / (1 + exp(-z[l]));
    }
    double sc = 0;
    if (!multi)
        sc = decided_score(P, ho, nh, ts, NULL, -1);
    else {
        for (int half = 0; half < 2; half++) {
            tune_thresholds(P, ho, nh, ts, thr, half);
            sc += decided_score(P, ho, nh, ts, thr, 1 - half) / 2;
        }
        tune_thresholds(P, ho, nh, ts, thr, -1);
    }
    free(z);
    free(P);
    return sc;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int text_model_train(const struct text_train_set *ts, const struct text_train_opts *o,
                     struct text_model **out, char **err)
{
    *out = NULL;
    if (ts->n == 0 || ts->nlabels == 0) {
        set_err(err, "no training rows%s%s", "", "");
        return PL_EINVAL;
    }
    set_print_string_function(quiet);
    struct text_scratch *s = text_scratch_get();
    struct text_feat_cfg cfg = {20, 2, 2, 5, 0};
    int lang = o->lang;
    if (lang < 0) {
        size_t cnt[3] = {0, 0, 0};
        for (size_t i = 0; i < ts->n; i++)
            if (text_doc_parse(&s->doc, ts->text[i], ts->text_len[i]) == 0)
                cnt[s->doc.lang]++;
        lang = cnt[TEXT_LANG_RU] > cnt[TEXT_LANG_EN] ? TEXT_LANG_RU : TEXT_LANG_EN;
    }
    cfg.stem_lang = (uint8_t)lang;
    uint32_t dim = 1u << cfg.hash_bits;

    /* 1. features of every row, document frequencies */
    size_t *rowp = xmalloc((ts->n + 1) * sizeof *rowp);
    size_t cap = ts->n * 64 + 16, nn = 0;
    uint32_t *ids = xmalloc(cap * sizeof *ids);
    float *vals = xmalloc(cap * sizeof *vals);
    uint32_t *df = xcalloc(dim, sizeof *df);
    for (size_t i = 0; i < ts->n; i++) {
        rowp[i] = nn;
        if (text_doc_parse(&s->doc, ts->text[i], ts->text_len[i]) != 0)
            continue;
        text_features(s, &s->doc, &cfg, &s->fv);
        if (nn + s->fv.n > cap) {
            while (nn + s->fv.n > cap)
                cap *= 2;
            ids = xrealloc(ids, cap * sizeof *ids);
            vals = xrealloc(vals, cap * sizeof *vals);
        }
        memcpy(ids + nn, s->fv.id, s->fv.n * sizeof *ids);
        memcpy(vals + nn, s->fv.val, s->fv.n * sizeof *vals);
        for (size_t k = 0; k < s->fv.n; k++)
            df[s->fv.id[k] & TEXT_FID_MASK]++;
        nn += s->fv.n;
    }
    rowp[ts->n] = nn;

    /* 2. the vocabulary: hashed ids seen in >= MIN_DF rows (all if tiny) */
    uint32_t min_df = ts->n >= 200 ? MIN_DF : 1;
    struct text_model *m = xcalloc(1, sizeof *m);
    snprintf(m->task, sizeof m->task, "%s", o->task ? o->task : "task");
    m->multi_label = o->multi_label;
    m->cfg = cfg;
    m->nlabels = ts->nlabels;
    m->labels = xcalloc(ts->nlabels, sizeof *m->labels);
    for (uint32_t l = 0; l < ts->nlabels; l++)
        m->labels[l] = xstrdup(ts->labels[l]);
    m->index = xmalloc(dim * sizeof *m->index);
    uint32_t nf = 0;
    for (uint32_t h = 0; h < dim; h++)
        if (df[h] >= min_df)
            nf++;
    m->nfeat = nf;
    m->feat = xmalloc((nf ? nf : 1) * sizeof *m->feat);
    m->idf = xmalloc((nf ? nf : 1) * sizeof *m->idf);
    nf = 0;
    for (uint32_t h = 0; h < dim; h++) {
        if (df[h] >= min_df) {
            m->index[h] = (int32_t)nf;
            m->feat[nf] = h;
            m->idf[nf] = (float)(log((1.0 + (double)ts->n) / (1.0 + df[h])) + 1.0);
            nf++;
        } else
            m->index[h] = -1;
    }
    free(df);

    /* 3. liblinear rows: tf-idf, L2-normalised, plus a bias node */
    struct feature_node **x = xmalloc(ts->n * sizeof *x);
    for (size_t i = 0; i < ts->n; i++) {
        size_t k = 0;
        x[i] = xmalloc((rowp[i + 1] - rowp[i] + 2) * sizeof **x);
        double norm[2] = {0, 0};
        for (size_t j = rowp[i]; j < rowp[i + 1]; j++) {
            int32_t r = m->index[ids[j] & TEXT_FID_MASK];
            if (r < 0)
                continue;
            double v = vals[j] * m->idf[r];
            norm[ids[j] >> 31] += v * v;
        }
        for (int q = 0; q < 2; q++)
            norm[q] = norm[q] > 0 ? sqrt(norm[q]) : 1;
        for (size_t j = rowp[i]; j < rowp[i + 1]; j++) {
            int32_t r = m->index[ids[j] & TEXT_FID_MASK];
            if (r < 0)
                continue;
            x[i][k].index = r + 1;
            x[i][k].value = vals[j] * m->idf[r] / norm[ids[j] >> 31];
            k++;
        }
        qsort(x[i], k, sizeof **x, cmp_node);
        size_t u = 0;          /* a word and an n-gram may share a bucket */
        for (size_t j = 0; j < k; j++) {
            if (u > 0 && x[i][u - 1].index == x[i][j].index)
                x[i][u - 1].value += x[i][j].value;
            else
                x[i][u++] = x[i][j];
        }
        k = u;
        x[i][k].index = (int)m->nfeat + 1;
        x[i][k].value = 1;
        x[i][k + 1].index = -1;
    }
    free(ids);
    free(vals);
    free(rowp);

    uint32_t L = ts->nlabels;
    double *W = xmalloc(((size_t)m->nfeat + 1) * L * sizeof *W);
    double *B = xmalloc(L * sizeof *B);
    m->thresh = xmalloc(L * sizeof *m->thresh);
    for (uint32_t l = 0; l < L; l++)
        m->thresh[l] = 0.5f;
    uint32_t *all = xmalloc(ts->n * sizeof *all);
    for (size_t i = 0; i < ts->n; i++)
        all[i] = (uint32_t)i;

    /* 4. choose naive-Bayes scaling or not, C, and multi-label thresholds
     * on a held-out 15% */
    double C = o->C;
    int nb = o->nb == TEXT_NB_ON;
    if (ts->n >= 100 && (C <= 0 || o->multi_label || o->nb == TEXT_NB_CHOOSE)) {
        uint32_t *perm = xmalloc(ts->n * sizeof *perm);
        memcpy(perm, all, ts->n * sizeof *perm);
        uint64_t seed = 0x5eed1234abcdULL;
        for (size_t i = ts->n - 1; i > 0; i--) {
            size_t j = rng_next(&seed) % (i + 1);
            uint32_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        /* stratified by first label: every 7th row of each label held out */
        uint32_t *seen = xcalloc(L, sizeof *seen);
        uint32_t *tr = xmalloc(ts->n * sizeof *tr), *ho = xmalloc(ts->n * sizeof *ho);
        size_t ntr = 0, nho = 0;
        for (size_t i = 0; i < ts->n; i++) {
            uint32_t g = ts->lab[ts->lab_off[perm[i]]];
            if (seen[g]++ % 7 == 3)
                ho[nho++] = perm[i];
            else
                tr[ntr++] = perm[i];
        }
        /* for each variant, C from 1 up by factors of 4 until the score has
         * not improved twice in a row (large C trains slowly and rarely
         * wins); the best variant and C overall are kept */
        static const double cs[] = {1, 4, 16, 64, 256, 1024};
        double best = -1, bestC = 16;
        float *thr = xmalloc(L * sizeof *thr);
        for (uint32_t l = 0; l < L; l++)
            thr[l] = 0.5f;       /* single-label: unused, but saved */
        int ncand = C > 0 ? 1 : (int)(sizeof cs / sizeof cs[0]);
        int v0 = o->nb == TEXT_NB_ON, v1 = o->nb == TEXT_NB_OFF ? 0 : 1;
        for (int v = v0; v <= v1; v++) {
            double vbest = -1;
            for (int c = 0, worse = 0; c < ncand && worse < 2; c++) {
                double Cc = C > 0 ? C : cs[c];
                fit_all(x, tr, ntr, ts, o->multi_label, v, m->nfeat, Cc, W, B);
                double sc = holdout_score(x, ho, nho, ts, o->multi_label, m->nfeat, W, B, thr);
                if (o->verbose)
                    fprintf(stderr, "train: %s C=%g hold-out score %.4f\n", v ? "NB" : "plain",
                            Cc, sc);
                worse = sc > vbest ? 0 : worse + 1;
                if (sc > vbest)
                    vbest = sc;
                if (sc > best) {
                    best = sc;
                    bestC = Cc;
                    nb = v;
                    memcpy(m->thresh, thr, L * sizeof *thr);
                }
            }
        }
        C = bestC;
        free(thr);
        free(perm);
        free(seen);
        free(tr);
        free(ho);
    }
    if (C <= 0)
        C = 16;
    if (o->verbose)
        fprintf(stderr, "train: final %s C=%g on %zu rows, %u features\n", nb ? "NB" : "plain", C,
                ts->n, m->nfeat);

    /* 5. final fit on every row, quantised */
    fit_all(x, all, ts->n, ts, o->multi_label, nb, m->nfeat, C, W, B);
    m->scale = xmalloc(L * sizeof *m->scale);
    m->bias = xmalloc(L * sizeof *m->bias);
    m->w = xmalloc(((size_t)m->nfeat ? m->nfeat : 1) * L);
    for (uint32_t l = 0; l < L; l++) {
        double mx = 0;
        for (uint32_t f = 0; f < m->nfeat; f++)
            if (fabs(W[(size_t)f * L + l]) > mx)
                mx = fabs(W[(size_t)f * L + l]);
        m->scale[l] = mx > 0 ? (float)(mx / 127.0) : 1.0f;
        m->bias[l] = (float)B[l];
        for (uint32_t f = 0; f < m->nfeat; f++)
            m->w[(size_t)f * L + l] = (int8_t)lrint(W[(size_t)f * L + l] / m->scale[l]);
    }
    for (size_t i = 0; i < ts->n; i++)
        free(x[i]);
    free(x);
    free(W);
    free(B);
    free(all);
    *out = m;
    return 0;
}
