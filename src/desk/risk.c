/* risk.c — risk scores of open tickets and customers, from the models of
 * `parley train-risk` applied to the features the risk tracker keeps up to
 * date with every commit (fed next to the metrics, metrics.c). Scoring
 * reads memory only: no query per ticket. */
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_FACTORS 3

static int read_all(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return PL_EIO;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && out->len < (1u << 20))
        buf_add(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? PL_EIO : 0;
}

/* The start of the model after the one at p, or end. */
static const char *next_model(const char *p, const char *end)
{
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        if ((size_t)(end - q) > 12 && !strncmp(q + 1, "parley-risk ", 12))
            return q + 1;
    return end;
}

/* The file holds one model after another, each starting "parley-risk ". */
int desk_risk_load(struct desk *d, const char *path, char **err)
{
    struct buf b = BUF_INIT;
    struct insight_risk_model *got[INSIGHT_RISK__COUNT] = {0};
    int rc = read_all(path, &b), nmodels = 0;
    if (rc) {
        *err = xasprintf("cannot read %s", path);
        goto out;
    }
    const char *p = b.ptr, *end = b.ptr + b.len;
    while (rc == 0 && p < end) {
        const char *next = next_model(p, end);
        size_t len = (size_t)(next - p);
        struct insight_risk_model m;
        if ((rc = insight_risk_load(p, len, &m))) {
            *err = xasprintf("%s: model %d: %s", path, nmodels + 1, parley_strerror(rc));
            break;
        }
        free(got[m.kind]);
        got[m.kind] = xmalloc(sizeof m);
        *got[m.kind] = m;
        nmodels++;
        p = next;
    }
    if (rc == 0 && nmodels == 0) {
        rc = PL_EFORMAT;
        *err = xasprintf("%s: no model in the file", path);
    }
    if (rc == 0) {
        /* Readers score under the metrics lock; swap the models under it. */
        bool locked = d->metrics != NULL;
        if (locked)
            pthread_rwlock_wrlock(&d->metrics_lock);
        for (int k = 0; k < INSIGHT_RISK__COUNT; k++) {
            free(d->risk_model[k]);
            d->risk_model[k] = got[k];
            got[k] = NULL;
        }
        if (locked)
            pthread_rwlock_unlock(&d->metrics_lock);
    }
out:
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++)
        free(got[k]);
    buf_release(&b);
    return rc;
}

static json_t *factors_json(const struct insight_risk_model *m, const double *x, const char *lang)
{
    struct insight_risk_factor f[TOP_FACTORS];
    int n = insight_risk_explain(m, x, lang, f, TOP_FACTORS);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:f}", "name", f[i].name, "label",
                                             f[i].label, "value", f[i].value, "weight",
                                             f[i].contribution));
    return arr;
}

json_t *desk_ticket_risk(struct desk *d, int64_t ticket_id, const char *lang)
{
    if (!d->metrics)
        return NULL;
    json_t *out = NULL;
    struct insight_ticket_features f;
    bool open = false;
    double x[INSIGHT_RISK_MAX_FEATURES];
    pthread_rwlock_rdlock(&d->metrics_lock);
    const struct insight_risk_model *esc = d->risk_model[INSIGHT_RISK_ESCALATION],
                                    *csat = d->risk_model[INSIGHT_RISK_LOW_CSAT];
    if ((esc || csat) &&
        insight_risk_track_ticket(d->risk_track, ticket_id, clock_now_ms(), &f, &open) == 0 &&
        open) {
        insight_ticket_vector(&f, x);
        out = json_object();
        json_object_set_new(out, "escalation", esc ? json_real(insight_risk_predict(esc, x))
                                                   : json_null());
        json_object_set_new(out, "low_csat", csat ? json_real(insight_risk_predict(csat, x))
                                                  : json_null());
        json_object_set_new(out, "factors", factors_json(esc ? esc : csat, x, lang));
    }
    pthread_rwlock_unlock(&d->metrics_lock);
    return out;
}

json_t *desk_customer_churn(struct desk *d, int64_t customer_id, const char *lang)
{
    if (!d->metrics)
        return NULL;
    json_t *out = NULL;
    struct insight_customer_features f;
    double x[INSIGHT_RISK_MAX_FEATURES];
    pthread_rwlock_rdlock(&d->metrics_lock);
    const struct insight_risk_model *m = d->risk_model[INSIGHT_RISK_CHURN];
    if (m && insight_risk_track_customer(d->risk_track, customer_id, clock_now_ms(), &f) == 0) {
        insight_customer_vector(&f, x);
        out = json_pack("{s:f,s:o}", "probability", insight_risk_predict(m, x), "factors",
                        factors_json(m, x, lang));
    }
    pthread_rwlock_unlock(&d->metrics_lock);
    return out;
}
