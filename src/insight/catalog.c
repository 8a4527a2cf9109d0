/* catalog.c — the named metrics of reports, goals and drill-down. The
 * definitions themselves are in docs/insight.md; this is the table that
 * names them. */
#include "insight/catalog.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define F(k) INSIGHT_FACT_##k

static const struct insight_metric metrics[] = {
    {"created", "count", F(CREATED), -1, "tickets created"},
    {"resolved", "count", F(RESOLUTION), -1, "resolutions (transitions into resolved/closed)"},
    {"reopened", "count", F(REOPEN), -1, "reopens"},
    {"escalated", "count", F(ESCALATED), -1, "tickets escalated for the first time"},
    {"repeat_contacts", "count", F(CREATED), 1, "new tickets of a customer within the repeat window"},
    {"frt_mean_ms", "ms", F(FIRST_REPLY), -1, "first response time, mean"},
    {"frt_p50_ms", "ms", F(FIRST_REPLY), -1, "first response time, median"},
    {"frt_p90_ms", "ms", F(FIRST_REPLY), -1, "first response time, 90th percentile"},
    {"aht_mean_ms", "ms", F(RESOLUTION), -1, "handling time per resolution, mean"},
    {"aht_p50_ms", "ms", F(RESOLUTION), -1, "handling time per resolution, median"},
    {"ttr_mean_ms", "ms", F(FIRST_RESOLUTION), -1, "time to resolution, mean"},
    {"ttr_p50_ms", "ms", F(FIRST_RESOLUTION), -1, "time to resolution, median"},
    {"ttr_p90_ms", "ms", F(FIRST_RESOLUTION), -1, "time to resolution, 90th percentile"},
    {"fcr_rate", "share", F(FCR), -1, "first-contact resolutions / first resolutions"},
    {"reopen_rate", "share", F(REOPEN), -1, "reopens / resolutions"},
    {"escalation_rate", "share", F(ESCALATED), -1, "escalated / created"},
    {"sla_first_rate", "share", F(FIRST_REPLY), -1, "first replies within the SLA"},
    {"sla_resolve_rate", "share", F(FIRST_RESOLUTION), -1, "first resolutions within the SLA"},
    {"csat_mean", "score", F(SURVEY), -1, "mean CSAT score 1-5"},
    {"csat_satisfied_share", "share", F(SURVEY), -1, "share of CSAT scores 4-5"},
    {"nps", "nps", F(SURVEY), -1, "% promoters - % detractors"},
    {"sentiment_mean", "polarity", F(MOOD), -1, "mean polarity of analysed inbound messages"},
    {"negative_share", "share", F(MOOD), -1, "share of negative inbound messages"},
    {"emotion_neutral", "share", 0, -1, "share of inbound messages read as neutral"},
    {"emotion_anger", "share", F(MOOD), INSIGHT_EMO_ANGER, "share read as anger"},
    {"emotion_frustration", "share", F(MOOD), INSIGHT_EMO_FRUSTRATION, "share read as frustration"},
    {"emotion_anxiety", "share", F(MOOD), INSIGHT_EMO_ANXIETY, "share read as anxiety"},
    {"emotion_confusion", "share", F(MOOD), INSIGHT_EMO_CONFUSION, "share read as confusion"},
    {"emotion_satisfaction", "share", F(MOOD), INSIGHT_EMO_SATISFACTION, "share read as satisfaction"},
    {"emotion_sadness", "share", F(MOOD), INSIGHT_EMO_SADNESS, "share read as sadness"},
    {"backlog_end", "count", 0, -1, "open tickets at the end of the period"},
};

const struct insight_metric *insight_metric_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof metrics / sizeof *metrics; i++)
        if (!strcmp(metrics[i].name, name))
            return &metrics[i];
    return NULL;
}

const struct insight_metric *insight_metric_at(size_t i)
{
    return i < sizeof metrics / sizeof *metrics ? &metrics[i] : NULL;
}

double insight_metric_value(const struct insight_metric *m, const struct insight_report *r)
{
    const struct insight_agg *s = &r->sum;
    const char *n = m->name;
    if (!strncmp(n, "emotion_", 8)) {
        enum insight_emotion e;
        return insight_emotion_parse(n + 8, &e) ? NAN : r->emo_share[e];
    }
    const struct { const char *name; double v; } v[] = {
        {"created", (double)s->created},
        {"resolved", (double)s->resolved},
        {"reopened", (double)s->reopened},
        {"escalated", (double)s->escalated},
        {"repeat_contacts", (double)s->repeat_contacts},
        {"frt_mean_ms", r->frt_mean_ms},
        {"frt_p50_ms", r->frt_p50_ms},
        {"frt_p90_ms", r->frt_p90_ms},
        {"aht_mean_ms", r->aht_mean_ms},
        {"aht_p50_ms", r->aht_p50_ms},
        {"ttr_mean_ms", r->ttr_mean_ms},
        {"ttr_p50_ms", r->ttr_p50_ms},
        {"ttr_p90_ms", r->ttr_p90_ms},
        {"fcr_rate", r->fcr_rate},
        {"reopen_rate", r->reopen_rate},
        {"escalation_rate", r->escalation_rate},
        {"sla_first_rate", r->sla_first_rate},
        {"sla_resolve_rate", r->sla_resolve_rate},
        {"csat_mean", r->csat_mean},
        {"csat_satisfied_share", r->csat_sat_share},
        {"nps", r->nps},
        {"sentiment_mean", r->sentiment_mean},
        {"negative_share", r->negative_share},
        {"backlog_end", (double)r->backlog_end},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!strcmp(v[i].name, n))
            return v[i].v;
    return NAN;
}

/* A duration in the two largest units that matter: "25 h 5 min", "24 h",
 * "4 min 30 s", "45 s", "800 ms". */
static void duration(double ms, bool ru, char *buf, size_t n)
{
    const char *sign = ms < 0 ? "-" : "";
    double a = fabs(ms);
    long long s = llround(a / 1000.0), min = llround(a / 60000.0);
    if (a < 1000)
        snprintf(buf, n, "%s%.0f %s", sign, a, ru ? "мс" : "ms");
    else if (s < 60)
        snprintf(buf, n, "%s%lld %s", sign, s, ru ? "с" : "s");
    else if (min < 60 && s % 60)
        snprintf(buf, n, "%s%lld %s %lld %s", sign, s / 60, ru ? "мин" : "min", s % 60,
                 ru ? "с" : "s");
    else if (min < 60)
        snprintf(buf, n, "%s%lld %s", sign, s / 60, ru ? "мин" : "min");
    else if (min % 60)
        snprintf(buf, n, "%s%lld %s %lld %s", sign, min / 60, ru ? "ч" : "h", min % 60,
                 ru ? "мин" : "min");
    else
        snprintf(buf, n, "%s%lld %s", sign, min / 60, ru ? "ч" : "h");
}

const char *insight_metric_format(const struct insight_metric *m, double v, const char *lang,
                                  char *buf, size_t n)
{
    bool ru = lang && !strcmp(lang, "ru");
    const char *unit = m ? m->unit : "";
    if (isnan(v))
        snprintf(buf, n, "—");
    else if (!strcmp(unit, "ms"))
        duration(v, ru, buf, n);
    else if (!strcmp(unit, "share"))
        snprintf(buf, n, "%.1f %%", v * 100.0);
    else if (!strcmp(unit, "count"))
        snprintf(buf, n, "%.0f", v);
    else if (!strcmp(unit, "nps"))
        snprintf(buf, n, "%.1f", v);
    else if (!strcmp(unit, "score") || !strcmp(unit, "polarity"))
        snprintf(buf, n, "%.2f", v);
    else
        snprintf(buf, n, "%.4g", v);
    return buf;
}
