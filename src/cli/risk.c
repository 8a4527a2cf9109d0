/* risk.c — `parley train-risk`: replays the event history into the risk
 * tracker, trains the escalation, low-CSAT and churn models on the earlier
 * part, evaluates them on the later part, prints the evaluation as JSON
 * and writes the models the server loads (`serve --risk-model`). */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "insight/risk_track.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: parley train-risk [--db DB] --out FILE [--holdout-from DATE] [--l2 X]\n"
    "\n"
    "Trains the risk models on the team's own history: escalation of an open\n"
    "ticket, a low CSAT (1-2) at its end (only when surveys were answered) and\n"
    "customer churn. Samples from DATE on (default: the latest 20 %) are held\n"
    "out for the evaluation printed as JSON (AUC, Brier score, reliability bins).\n"
    "FILE gets the models that could be trained; load it with\n"
    "`parley serve --risk-model FILE`.\n";

/* Feeds every stored event to tr; *end gets the time of the last one. */
static int replay(struct store *st, struct insight_risk_track *tr, int64_t *nev, int64_t *end)
{
    int64_t last = 0;
    for (;;) {
        struct event_filter f = {.after_id = last, .limit = 1000};
        struct event *ev = NULL;
        size_t n = 0;
        int rc = st->ops->event_list(st, &f, &ev, &n);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++) {
            insight_risk_track_apply(tr, &ev[i]);
            last = ev[i].id;
            if (ev[i].created_at > *end)
                *end = ev[i].created_at;
        }
        *nev += (int64_t)n;
        store_free_events(ev, n);
        if (n < 1000)
            return 0;
    }
}

static int write_file(const char *path, const struct buf *b)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(b->ptr, 1, b->len, f) == b->len;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        remove(tmp);
    free(tmp);
    return ok ? 0 : PL_EIO;
}

/* Trains one kind; appends its model to models and its report (or why it
 * was skipped) to the arrays. Returns 1 when a model was trained. */
static int train_kind(struct insight_risk_track *tr, enum insight_risk_kind k, int64_t end,
                      int64_t holdout, double l2, struct buf *models, json_t *reports,
                      json_t *skipped)
{
    struct insight_risk_data d;
    insight_risk_track_dataset(tr, k, end, &d);
    const char *name = insight_risk_kind_name(k), *why = NULL;
    struct insight_risk_model m;
    json_t *rep = NULL;
    int trained = 0;
    if (d.n == 0 && k == INSIGHT_RISK_LOW_CSAT)
        why = "no CSAT data: no survey has been answered yet";
    else if (d.n == 0)
        why = "no samples in the history";
    else if (insight_risk_fit(&d, holdout, l2, &m, &rep, &why) == 0) {
        json_object_set_new(rep, "samples", json_integer((json_int_t)d.n));
        json_array_append_new(reports, rep);
        insight_risk_save(&m, models);
        trained = 1;
    }
    if (why)
        json_array_append_new(skipped, json_pack("{s:s,s:s,s:I}", "kind", name, "reason", why,
                                                 "samples", (json_int_t)d.n));
    insight_risk_data_release(&d);
    return trained;
}

/* -1 to go on, else the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char **db, const char **out,
                      int64_t *holdout, double *l2)
{
    const char *h = NULL, *l = NULL;
    const struct cli_option opts[] = {
        {"db", db}, {"out", out}, {"holdout-from", &h}, {"l2", &l}, {NULL}};
    int rc = cli_parse("train-risk", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!*out) {
        fprintf(stderr, "parley train-risk: --out FILE is required\n%s", usage_text);
        return 2;
    }
    if (h && clock_parse(h, holdout)) {
        fprintf(stderr, "parley train-risk: --holdout-from wants a date like 2026-10-01\n");
        return 2;
    }
    char *e;
    if (l && ((*l2 = strtod(l, &e)), *e || !(*l2 >= 0 && *l2 <= 1e6))) {
        fprintf(stderr, "parley train-risk: --l2 wants a number from 0 to 1000000\n");
        return 2;
    }
    return -1;
}

int cmd_train_risk(int argc, char **argv)
{
    const char *db = cli_default_db(), *out = NULL;
    int64_t holdout = 0, nev = 0, end = 0;
    double l2 = 1.0;
    int rc = parse_args(argc, argv, &db, &out, &holdout, &l2);
    if (rc >= 0)
        return rc;
    struct store *st = NULL;
    char *err = NULL;
    if (store_open(db, 0, &st, &err)) {
        fprintf(stderr, "parley train-risk: cannot open %s: %s\n", db, err ? err : "?");
        free(err);
        return 1;
    }
    struct insight_risk_track *tr = insight_risk_track_new(true);
    rc = replay(st, tr, &nev, &end);
    store_close(st);
    if (rc) {
        fprintf(stderr, "parley train-risk: cannot read the events: %s\n", parley_strerror(rc));
        insight_risk_track_free(tr);
        return 1;
    }
    struct buf models = BUF_INIT;
    json_t *reports = json_array(), *skipped = json_array();
    int trained = 0;
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++)
        trained += train_kind(tr, (enum insight_risk_kind)k, end, holdout, l2, &models, reports,
                              skipped);
    insight_risk_track_free(tr);
    char iso[CLOCK_ISO_LEN];
    clock_format(end, iso);
    json_t *j = json_pack("{s:I,s:s,s:f,s:i,s:o,s:o}", "events", (json_int_t)nev, "history_end",
                          iso, "l2", l2, "churn_window_days", INSIGHT_CHURN_WINDOW_DAYS, "models",
                          reports, "skipped", skipped);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
    puts(s ? s : "{}");
    free(s);
    json_decref(j);
    rc = 0;
    if (!trained) {
        fprintf(stderr, "parley train-risk: no model could be trained (see \"skipped\")\n");
        rc = 1;
    } else if (write_file(out, &models)) {
        fprintf(stderr, "parley train-risk: cannot write %s\n", out);
        rc = 1;
    } else {
        fprintf(stderr, "parley train-risk: %d model(s) written to %s\n", trained, out);
    }
    buf_release(&models);
    return rc;
}
