/* text.c — `parley train`, `parley eval`, `parley analyze`: the CLI over
 * src/text/ (see docs/text-quality.md). */
#include "cli/cli.h"

#include "base/buf.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "text/text.h"
#include "text/text_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- labelled CSV ------------------------------------------------------- */

struct labelled {
    size_t n, cap;
    char **text; size_t *len;
    uint32_t *lab_off, *lab; size_t nlab, labcap;
    char **labels; uint32_t nlabels, labels_cap;
};

static void lab_free(struct labelled *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->text[i]);
    free(d->text);
    free(d->len);
    free(d->lab_off);
    free(d->lab);
    for (uint32_t i = 0; i < d->nlabels; i++)
        free(d->labels[i]);
    free(d->labels);
}

static uint32_t label_id(struct labelled *d, const char *s, size_t n, int add)
{
    for (uint32_t i = 0; i < d->nlabels; i++)
        if (strlen(d->labels[i]) == n && memcmp(d->labels[i], s, n) == 0)
            return i;
    if (!add)
        return UINT32_MAX;
    if (d->nlabels == d->labels_cap) {
        d->labels_cap = d->labels_cap ? d->labels_cap * 2 : 16;
        d->labels = xrealloc(d->labels, d->labels_cap * sizeof *d->labels);
    }
    d->labels[d->nlabels] = xstrndup(s, n);
    return d->nlabels++;
}

/* Reads FILE with columns text,label. With fixed labels (eval), unknown
 * labels are still added (they count as misses). Returns 0 or 1 after
 * printing "FILE:LINE: problem". */
static int read_labelled(const char *path, int multi, struct labelled *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "parley: cannot open %s\n", path);
        return 1;
    }
    struct csv *c = csv_open(fp, ',');
    int rc = csv_next(c), ti = -1, li = -1, ret = 1;
    if (rc <= 0) {
        fprintf(stderr, "%s:1: %s\n", path, rc < 0 ? csv_error(c) : "empty file, need a header row");
        goto out;
    }
    ti = csv_find(c, "text");
    li = csv_find(c, "label");
    if (ti < 0 || li < 0) {
        fprintf(stderr, "%s:%ld: missing column '%s' in the header\n", path, csv_line(c),
                ti < 0 ? "text" : "label");
        goto out;
    }
    d->lab_off = xmalloc(sizeof *d->lab_off);
    d->lab_off[0] = 0;
    while ((rc = csv_next(c)) > 0) {
        long line = csv_line(c);
        if (csv_nfields(c) == 1 && csv_field_len(c, 0) == 0)
            continue;      /* blank line */
        if ((int)csv_nfields(c) <= ti || (int)csv_nfields(c) <= li) {
            fprintf(stderr, "%s:%ld: missing column '%s'\n", path, line,
                    (int)csv_nfields(c) <= ti ? "text" : "label");
            goto out;
        }
        const char *lab = csv_field(c, (size_t)li);
        size_t before = d->nlab;
        const char *p = lab;
        for (;;) {
            const char *e = multi ? strchr(p, ';') : NULL;
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n && (*p == ' ' || *p == '\t'))
                p++, n--;
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
                n--;
            if (n > 63) {
                fprintf(stderr, "%s:%ld: label longer than 63 bytes\n", path, line);
                goto out;
            }
            if (n) {
                uint32_t id = label_id(d, p, n, 1);
                int dup = 0;
                for (size_t k = before; k < d->nlab; k++)
                    dup |= d->lab[k] == id;
                if (!dup) {
                    if (d->nlab == d->labcap) {
                        d->labcap = d->labcap ? d->labcap * 2 : 1024;
                        d->lab = xrealloc(d->lab, d->labcap * sizeof *d->lab);
                    }
                    d->lab[d->nlab++] = id;
                }
            }
            if (!e)
                break;
            p = e + 1;
        }
        if (d->nlab == before) {
            fprintf(stderr, "%s:%ld: empty label\n", path, line);
            goto out;
        }
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 1024;
            d->text = xrealloc(d->text, d->cap * sizeof *d->text);
            d->len = xrealloc(d->len, d->cap * sizeof *d->len);
        }
        d->lab_off = xrealloc(d->lab_off, (d->n + 2) * sizeof *d->lab_off);
        d->text[d->n] = xstrndup(csv_field(c, (size_t)ti), csv_field_len(c, (size_t)ti));
        d->len[d->n] = csv_field_len(c, (size_t)ti);
        d->n++;
        d->lab_off[d->n] = (uint32_t)d->nlab;
    }
    if (rc < 0) {
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(c), csv_error(c));
        goto out;
    }
    if (d->n == 0) {
        fprintf(stderr, "%s: no data rows\n", path);
        goto out;
    }
    ret = 0;
out:
    csv_close(c);
    fclose(fp);
    return ret;
}

/* ---- train -------------------------------------------------------------- */

static const char train_usage[] =
    "usage: parley train --task NAME --train FILE.csv --out FILE.model [--multi-label]\n"
    "                    [--lang en|ru] [--c C] [--nb auto|on|off] [--quiet]\n\n"
    "Trains a linear model (logistic regression over hashed word and character\n"
    "n-grams) from a CSV with a header and columns `text` and `label`; with\n"
    "--multi-label a label cell holds several labels separated by ';'.\n"
    "C, and whether to scale the features by their naive-Bayes log-count ratios\n"
    "(NBSVM), are chosen on a held-out 15% of the rows unless --c or --nb on|off\n"
    "is given.\n";

int cmd_train(int argc, char **argv)
{
    const char *task = NULL, *train = NULL, *outp = NULL, *lang = NULL, *cs = NULL, *nbs = NULL;
    int multi = 0, quiet = 0;
    const struct cli_option opts[] = {
        {"task", &task}, {"train", &train}, {"out", &outp}, {"lang", &lang}, {"c", &cs},
        {"nb", &nbs}, {"multi-label", NULL, &multi}, {"quiet", NULL, &quiet}, {NULL}};
    int prc = cli_parse("train", train_usage, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    if (!task || !train || !outp) {
        fprintf(stderr, "parley train: --task, --train and --out are required\n");
        return 2;
    }
    int nb = TEXT_NB_CHOOSE;
    if (nbs && strcmp(nbs, "auto") != 0) {
        if (strcmp(nbs, "on") && strcmp(nbs, "off")) {
            fprintf(stderr, "parley train: --nb takes auto, on or off, not '%s'\n", nbs);
            return 2;
        }
        nb = strcmp(nbs, "on") == 0 ? TEXT_NB_ON : TEXT_NB_OFF;
    }
    struct labelled d;
    memset(&d, 0, sizeof d);
    if (read_labelled(train, multi, &d)) {
        lab_free(&d);
        return 1;
    }
    struct text_train_set ts = {d.n, (const char **)d.text, d.len, d.lab_off, d.lab, d.nlabels, d.labels};
    struct text_train_opts o = {.task = task, .multi_label = multi, .lang = -1,
                                .C = cs ? atof(cs) : 0, .nb = nb, .verbose = !quiet};
    if (lang)
        o.lang = strcmp(lang, "ru") == 0 ? TEXT_LANG_RU : TEXT_LANG_EN;
    struct text_model *m = NULL;
    char *err = NULL;
    int rc = text_model_train(&ts, &o, &m, &err);
    if (rc == 0)
        rc = text_model_save(m, outp, &err);
    if (rc)
        fprintf(stderr, "parley train: %s\n", err ? err : parley_strerror(rc));
    else if (!quiet)
        fprintf(stderr, "parley train: %zu rows, %u labels, %u features -> %s\n", d.n, m->nlabels,
                m->nfeat, outp);
    free(err);
    text_model_free(m);
    lab_free(&d);
    return rc ? 1 : 0;
}

/* ---- eval --------------------------------------------------------------- */

static void jstr(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        if ((unsigned char)*s < 0x20)
            buf_printf(b, "\\u%04x", (unsigned char)*s);
        else
            buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static const char eval_usage[] =
    "usage: parley eval --model FILE.model --test FILE.csv\n\n"
    "Prints one JSON object: n, accuracy (top-1; exact match for multi-label),\n"
    "macro_f1, micro_f1 and per-label precision, recall, f1, support.\n";

int cmd_eval(int argc, char **argv)
{
    const char *mpath = NULL, *test = NULL;
    const struct cli_option opts[] = {{"model", &mpath}, {"test", &test}, {NULL}};
    int prc = cli_parse("eval", eval_usage, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    if (!mpath || !test) {
        fprintf(stderr, "parley eval: --model and --test are required\n");
        return 2;
    }
    struct text_model *m = NULL;
    char *err = NULL;
    if (text_model_load(mpath, &m, &err)) {
        fprintf(stderr, "parley eval: %s\n", err);
        free(err);
        return 1;
    }
    struct labelled d;
    memset(&d, 0, sizeof d);
    /* the model's labels come first so that ids match */
    for (uint32_t l = 0; l < m->nlabels; l++)
        label_id(&d, m->labels[l], strlen(m->labels[l]), 1);
    if (read_labelled(test, m->multi_label, &d)) {
        lab_free(&d);
        text_model_free(m);
        return 1;
    }
    uint32_t L = d.nlabels, ML = m->nlabels;
    double *tp = xcalloc(L, sizeof *tp), *fp = xcalloc(L, sizeof *fp), *fn = xcalloc(L, sizeof *fn);
    float *pr = xmalloc(ML * sizeof *pr);
    unsigned char *pred = xmalloc(L), *gold = xmalloc(L);
    double acc = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (text_model_predict(m, d.text[i], d.len[i], pr) != 0) {
            fprintf(stderr, "parley eval: row %zu: invalid UTF-8\n", i + 1);
            continue;
        }
        memset(pred, 0, L);
        memset(gold, 0, L);
        uint32_t best = 0;
        for (uint32_t l = 1; l < ML; l++)
            if (pr[l] > pr[best])
                best = l;
        if (m->multi_label) {
            int any = 0;
            for (uint32_t l = 0; l < ML; l++)
                if (pr[l] >= m->thresh[l])
                    pred[l] = 1, any = 1;
            if (!any)
                pred[best] = 1;
            for (uint32_t j = d.lab_off[i]; j < d.lab_off[i + 1]; j++)
                gold[d.lab[j]] = 1;
        } else {
            pred[best] = 1;
            gold[d.lab[d.lab_off[i]]] = 1;
        }
        int same = 1;
        for (uint32_t l = 0; l < L; l++) {
            tp[l] += pred[l] && gold[l];
            fp[l] += pred[l] && !gold[l];
            fn[l] += !pred[l] && gold[l];
            same &= pred[l] == gold[l];
        }
        acc += same;
    }
    double stp = 0, sfp = 0, sfn = 0, f1sum = 0;
    unsigned nl = 0;
    struct buf b = BUF_INIT;
    struct buf per = BUF_INIT;
    for (uint32_t l = 0; l < L; l++) {
        double p = tp[l] + fp[l] > 0 ? tp[l] / (tp[l] + fp[l]) : 0;
        double r = tp[l] + fn[l] > 0 ? tp[l] / (tp[l] + fn[l]) : 0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
        stp += tp[l], sfp += fp[l], sfn += fn[l];
        if (tp[l] + fp[l] + fn[l] > 0) {
            f1sum += f;
            nl++;
        }
        buf_puts(&per, nl > 1 || (l && per.len) ? "," : "");
        jstr(&per, d.labels[l]);
        buf_printf(&per, ":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%.0f}", p, r, f,
                   tp[l] + fn[l]);
    }
    double mp = stp + sfp > 0 ? stp / (stp + sfp) : 0, mr = stp + sfn > 0 ? stp / (stp + sfn) : 0;
    buf_printf(&b, "{\"n\":%zu,\"accuracy\":%.4f,\"macro_f1\":%.4f,\"micro_f1\":%.4f,\"labels\":{%s}}\n",
               d.n, acc / (double)d.n, nl ? f1sum / nl : 0, mp + mr > 0 ? 2 * mp * mr / (mp + mr) : 0,
               buf_str(&per));
    fputs(buf_str(&b), stdout);
    buf_release(&b);
    buf_release(&per);
    free(tp), free(fp), free(fn), free(pr), free(pred), free(gold);
    lab_free(&d);
    text_model_free(m);
    return 0;
}

/* ---- analyze ------------------------------------------------------------ */

static const char analyze_usage[] =
    "usage: parley analyze [--models DIR] [--] [TEXT]\n\n"
    "Prints the JSON analysis of TEXT (language, emotions, sentiment, intensity,\n"
    "intent, cues); with no TEXT, one JSON line per line of stdin, streaming.\n"
    "Words of TEXT may be separate arguments; after \"--\" they may start with \"-\".\n"
    "Models: --models DIR, else $PARLEY_MODELS, else data/models.\n";

int cmd_analyze(int argc, char **argv)
{
    const char *models = NULL;
    const struct cli_option opts[] = {{"models", &models}, {NULL}};
    const char **words = xcalloc((size_t)argc, sizeof *words);
    int nwords = 0;
    int prc = cli_parse("analyze", analyze_usage, argc, argv, opts, words, argc, &nwords);
    struct buf text = BUF_INIT;
    for (int i = 0; prc < 0 && i < nwords; i++) {
        if (i)
            buf_putc(&text, ' ');
        buf_puts(&text, words[i]);
    }
    free(words);
    if (prc >= 0)
        return prc;
    int have_text = nwords > 0;
    struct text_engine *e = NULL;
    char *err = NULL;
    if (text_engine_open(models, &e, &err)) {
        fprintf(stderr, "parley analyze: %s\n", err);
        free(err);
        buf_release(&text);
        return 1;
    }
    struct text_analysis a;
    struct buf out = BUF_INIT;
    int ret = 0;
    if (have_text) {
        if (text_analyze(e, buf_str(&text), text.len, &a) != 0) {
            fprintf(stderr, "parley analyze: TEXT is not valid UTF-8\n");
            ret = 1;
        } else {
            text_analysis_json(&a, &out);
            puts(buf_str(&out));
        }
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        long ln = 0;
        while ((n = getline(&line, &cap, stdin)) >= 0) {
            ln++;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            buf_reset(&out);
            if (text_analyze(e, line, (size_t)n, &a) != 0) {
                fprintf(stderr, "parley analyze: line %ld: invalid UTF-8\n", ln);
                printf("{\"error\":\"invalid UTF-8\",\"line\":%ld}\n", ln);
                ret = 1;
            } else {
                text_analysis_json(&a, &out);
                buf_putc(&out, '\n');
                fputs(buf_str(&out), stdout);
            }
            fflush(stdout);
        }
        free(line);
    }
    buf_release(&out);
    buf_release(&text);
    text_engine_close(e);
    return ret;
}
