/* metrics_agg.c — the aggregate row: names, merge, JSON round trip. */
#include "insight/metrics.h"

#include <string.h>

#include "base/err.h"

/* ---- names ------------------------------------------------------------ */

static const char *const dim_names[INSIGHT_DIM__COUNT] = {"all", "agent", "category", "channel",
                                                          "priority"};
static const char *const emo_names[INSIGHT_EMO__COUNT] = {
    "neutral", "anger", "frustration", "anxiety", "confusion", "satisfaction", "sadness"};

const char *insight_dim_name(enum insight_dim d)
{
    return (unsigned)d < INSIGHT_DIM__COUNT ? dim_names[d] : "?";
}

int insight_dim_parse(const char *s, enum insight_dim *out)
{
    for (int i = 0; s && i < INSIGHT_DIM__COUNT; i++)
        if (!strcmp(s, dim_names[i])) {
            *out = (enum insight_dim)i;
            return 0;
        }
    return PL_EINVAL;
}

const char *insight_emotion_name(enum insight_emotion e)
{
    return (unsigned)e < INSIGHT_EMO__COUNT ? emo_names[e] : "?";
}

int insight_emotion_parse(const char *s, enum insight_emotion *out)
{
    for (int i = 0; s && i < INSIGHT_EMO__COUNT; i++)
        if (!strcmp(s, emo_names[i])) {
            *out = (enum insight_emotion)i;
            return 0;
        }
    if (s && !strcmp(s, "joy")) {
        *out = INSIGHT_EMO_SATISFACTION;
        return 0;
    }
    return PL_EINVAL;
}

/* ---- aggregate rows: merge and JSON ------------------------------------ */

/* Every int64 counter of struct insight_agg, once: merge and JSON follow. */
#define AGG_INT_FIELDS(X)                                                            \
    X(created) X(inbound) X(replies) X(notes) X(repeat_contacts) X(frt_n) X(frt_sum) \
    X(ttr_n) X(ttr_sum) X(aht_n) X(aht_sum) X(resolved) X(first_resolved) X(fcr)    \
    X(reopened) X(escalated) X(sla_first_n) X(sla_first_met) X(sla_res_n)            \
    X(sla_res_met) X(csat_n) X(csat_sum) X(csat_sat) X(nps_n) X(nps_prom) X(nps_det)  \
    X(sent_n) X(sent_neg) X(backlog_delta)

void insight_agg_merge(struct insight_agg *dst, const struct insight_agg *src)
{
#define MERGE_(f) dst->f += src->f;
    AGG_INT_FIELDS(MERGE_)
#undef MERGE_
    for (int i = 0; i < 5; i++)
        dst->csat_score[i] += src->csat_score[i];
    for (int i = 0; i < INSIGHT_EMO__COUNT; i++)
        dst->emo[i] += src->emo[i];
    dst->sent_sum += src->sent_sum;
    insight_hist_merge(&dst->frt, &src->frt);
    insight_hist_merge(&dst->ttr, &src->ttr);
    insight_hist_merge(&dst->aht, &src->aht);
}

static json_t *hist_to_json(const struct insight_hist *h)
{
    json_t *a = json_array();
    for (int i = 0; i < INSIGHT_HIST_BINS; i++)
        if (h->n[i])
            json_array_append_new(a, json_pack("[i,I]", i, (json_int_t)h->n[i]));
    return a;
}

static int hist_from_json(const json_t *a, struct insight_hist *h)
{
    if (!a)
        return 0;
    if (!json_is_array(a))
        return PL_EPARSE;
    size_t i;
    const json_t *p;
    json_array_foreach(a, i, p) {
        const json_t *b = json_array_get(p, 0), *c = json_array_get(p, 1);
        if (!json_is_integer(b) || !json_is_integer(c))
            return PL_EPARSE;
        json_int_t bi = json_integer_value(b), ci = json_integer_value(c);
        if (bi < 0 || bi >= INSIGHT_HIST_BINS || ci < 0 || ci > UINT32_MAX)
            return PL_EPARSE;
        h->n[bi] = (uint32_t)ci;
    }
    return 0;
}

json_t *insight_agg_to_json(const struct insight_agg *a)
{
    json_t *o = json_object();
#define TOJ_(f) json_object_set_new(o, #f, json_integer((json_int_t)a->f));
    AGG_INT_FIELDS(TOJ_)
#undef TOJ_
    json_t *cs = json_array(), *em = json_object();
    for (int i = 0; i < 5; i++)
        json_array_append_new(cs, json_integer((json_int_t)a->csat_score[i]));
    for (int i = 0; i < INSIGHT_EMO__COUNT; i++)
        json_object_set_new(em, emo_names[i], json_integer((json_int_t)a->emo[i]));
    json_object_set_new(o, "csat_score", cs);
    json_object_set_new(o, "emo", em);
    json_object_set_new(o, "sent_sum", json_real(a->sent_sum));
    json_object_set_new(o, "frt_hist", hist_to_json(&a->frt));
    json_object_set_new(o, "ttr_hist", hist_to_json(&a->ttr));
    json_object_set_new(o, "aht_hist", hist_to_json(&a->aht));
    return o;
}

int insight_agg_from_json(const json_t *j, struct insight_agg *a)
{
    memset(a, 0, sizeof *a);
    if (!json_is_object(j))
        return PL_EPARSE;
    const json_t *v;
#define FROMJ_(f)                                \
    if ((v = json_object_get(j, #f))) {          \
        if (!json_is_integer(v))                 \
            goto bad;                            \
        a->f = (int64_t)json_integer_value(v);   \
    }
    AGG_INT_FIELDS(FROMJ_)
#undef FROMJ_
    if ((v = json_object_get(j, "csat_score"))) {
        if (!json_is_array(v) || json_array_size(v) != 5)
            goto bad;
        for (size_t i = 0; i < 5; i++) {
            if (!json_is_integer(json_array_get(v, i)))
                goto bad;
            a->csat_score[i] = (int64_t)json_integer_value(json_array_get(v, i));
        }
    }
    if ((v = json_object_get(j, "emo"))) {
        if (!json_is_object(v))
            goto bad;
        for (int i = 0; i < INSIGHT_EMO__COUNT; i++) {
            const json_t *e = json_object_get(v, emo_names[i]);
            if (e && !json_is_integer(e))
                goto bad;
            a->emo[i] = e ? (int64_t)json_integer_value(e) : 0;
        }
    }
    if ((v = json_object_get(j, "sent_sum"))) {
        if (!json_is_number(v))
            goto bad;
        a->sent_sum = json_number_value(v);
    }
    if (hist_from_json(json_object_get(j, "frt_hist"), &a->frt) ||
        hist_from_json(json_object_get(j, "ttr_hist"), &a->ttr) ||
        hist_from_json(json_object_get(j, "aht_hist"), &a->aht))
        goto bad;
    return 0;
bad:
    memset(a, 0, sizeof *a);
    return PL_EPARSE;
}

