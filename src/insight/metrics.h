/* metrics.h — incremental service metrics from Parley's event stream.
 *
 * insight_metrics_apply() takes one event at a time and, in O(1), updates
 * (a) a compact state of the ticket it is about and (b) at most ten
 * aggregate rows: the day and the hour bucket (hour only for the "all"
 * dimension) × the dimensions all / agent / category / channel / priority.
 * A row holds counts, sums and log-scale histograms, so any period is the
 * merge of its rows and no query ever scans tickets. Design and the exact
 * definition of every metric: docs/insight.md.
 *
 * Ownership: the engine owns its ticket states and rows; reports are plain
 * values the caller owns. Events are borrowed for the duration of a call. */
#ifndef PARLEY_INSIGHT_METRICS_H
#define PARLEY_INSIGHT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "insight/stats.h"
#include "model/model.h"

enum insight_gran { INSIGHT_DAY, INSIGHT_HOUR, INSIGHT_GRAN__COUNT };

enum insight_dim {
    INSIGHT_DIM_ALL, INSIGHT_DIM_AGENT, INSIGHT_DIM_CATEGORY, INSIGHT_DIM_CHANNEL,
    INSIGHT_DIM_PRIORITY, INSIGHT_DIM__COUNT
};

enum insight_emotion {
    INSIGHT_EMO_NEUTRAL, INSIGHT_EMO_ANGER, INSIGHT_EMO_FRUSTRATION, INSIGHT_EMO_ANXIETY,
    INSIGHT_EMO_CONFUSION, INSIGHT_EMO_SATISFACTION, INSIGHT_EMO_SADNESS, INSIGHT_EMO__COUNT
};

const char *insight_dim_name(enum insight_dim d);
int insight_dim_parse(const char *s, enum insight_dim *out);
const char *insight_emotion_name(enum insight_emotion e);
/* Also accepts "joy" for satisfaction (triage's vocabulary). */
int insight_emotion_parse(const char *s, enum insight_emotion *out);

/* One aggregate row: everything additive. Durations in milliseconds. */
struct insight_agg {
    int64_t created;           /* tickets created */
    int64_t inbound, replies, notes;
    int64_t repeat_contacts;   /* new tickets from a customer within the repeat window */
    int64_t frt_n, frt_sum;    /* first response time */
    int64_t ttr_n, ttr_sum;    /* time to (first) resolution */
    int64_t aht_n, aht_sum;    /* handling time per resolution */
    int64_t resolved;          /* transitions into resolved/closed from an open status */
    int64_t first_resolved;    /* tickets resolved for the first time */
    int64_t fcr;               /* of first_resolved: first-contact resolutions (as known now) */
    int64_t reopened;          /* transitions resolved/closed → open status */
    int64_t escalated;         /* tickets escalated for the first time */
    int64_t sla_first_n, sla_first_met, sla_res_n, sla_res_met;
    int64_t csat_n, csat_sum, csat_sat;   /* csat_sat: scores 4 and 5 */
    int64_t csat_score[5];
    int64_t nps_n, nps_prom, nps_det;
    int64_t sent_n, sent_neg;  /* analysed inbound messages; negative: sentiment < -0.05 */
    double sent_sum;
    int64_t emo[INSIGHT_EMO__COUNT];
    int64_t backlog_delta;     /* +1 opened/reopened, −1 resolved/closed */
    struct insight_hist frt, ttr, aht;
};

void insight_agg_merge(struct insight_agg *dst, const struct insight_agg *src);
/* Returns a new JSON object (caller decrefs); histograms are sparse
 * [[bin,count],...]. from_json fills *a (zeroed first); PL_EPARSE on a
 * malformed object, never crashes. */
json_t *insight_agg_to_json(const struct insight_agg *a);
int insight_agg_from_json(const json_t *j, struct insight_agg *a);

/* Key of a row: bucket start (ms, UTC), granularity, dimension, value
 * (agent id, category id, channel, priority; 0 for "all"). */
struct insight_key {
    int64_t start;
    enum insight_gran gran;
    enum insight_dim dim;
    int64_t value;
};

struct insight_metrics_config {
    int64_t handle_cap_ms;                 /* max credit per agent action (default 15 min) */
    int64_t repeat_window_ms;              /* repeat-contact window (default 7 days) */
    int64_t first_target_ms[PRIORITY__COUNT];   /* SLA targets if no due time is given; 0 = none */
    int64_t resolve_target_ms[PRIORITY__COUNT];
    bool hour_rows_for_all_dims;           /* default false: hour rows only for "all" */
};
void insight_metrics_config_default(struct insight_metrics_config *c);

struct insight_metrics;

/* cfg NULL = defaults. Never NULL; free with insight_metrics_free(). */
struct insight_metrics *insight_metrics_new(const struct insight_metrics_config *cfg);
void insight_metrics_free(struct insight_metrics *m);
/* Changes the repeat-contact window for tickets created from now on. */
void insight_metrics_set_repeat_window(struct insight_metrics *m, int64_t ms);

/* Applies one event. Unknown types are ignored (0). Events must arrive in
 * id order; an event for an unknown ticket creates its state. Returns 0,
 * or PL_EINVAL/PL_EPARSE for a malformed event (or a time further than
 * INSIGHT_MAX_ABS_MS from the epoch), which changes nothing. */
int insight_metrics_apply(struct insight_metrics *m, const struct event *ev);

/* Drill-down: every fact the engine counts for a ticket can be reported
 * to a hook as it is counted, with the dimensions it was counted under,
 * so a store can keep the ticket ids behind each number (indexed by kind
 * and time). value and label by kind:
 *   CREATED           label: 1 = repeat contact
 *   FIRST_REPLY       value: first response time ms; label: SLA 1 met, 0 missed, −1 none
 *   FIRST_RESOLUTION  value: time to resolution ms (−1 unknown start); label: as above
 *   RESOLUTION        value: handling time ms credited by this resolution
 *   FCR               counted as first-contact resolution (at the first resolution)
 *   FCR_WITHDRAWN     that FCR no longer holds (reopen, repeat contact)
 *   REOPEN, ESCALATED
 *   SURVEY            value: CSAT score 1–5 (0 none); label: NPS 0–10 (−1 none)
 *   MOOD              an analysed inbound message that is negative or not
 *                     neutral; value: polarity (NaN none); label: emotion (−1 none)
 * The fact and its strings are borrowed for the call. */
enum insight_fact_kind {
    INSIGHT_FACT_CREATED = 1, INSIGHT_FACT_FIRST_REPLY, INSIGHT_FACT_FIRST_RESOLUTION,
    INSIGHT_FACT_RESOLUTION, INSIGHT_FACT_FCR, INSIGHT_FACT_FCR_WITHDRAWN, INSIGHT_FACT_REOPEN,
    INSIGHT_FACT_ESCALATED, INSIGHT_FACT_SURVEY, INSIGHT_FACT_MOOD
};

struct insight_fact {
    enum insight_fact_kind kind;
    int64_t ticket_id, at;
    int64_t agent;
    const char *category;      /* NULL = none */
    int channel, priority;
    double value;
    int label;
};

/* fn NULL = no hook. Called from insight_metrics_apply(). */
void insight_metrics_on_fact(struct insight_metrics *m,
                             void (*fn)(void *ctx, const struct insight_fact *f), void *ctx);

/* Category names are interned to small ids (1..; 0 = none). */
int insight_metrics_category_id(const struct insight_metrics *m, const char *name); /* 0 if unknown */
const char *insight_metrics_category_name(const struct insight_metrics *m, int id); /* borrowed */

/* Row access for persistence: get returns a borrowed row or NULL; put
 * replaces (or adds) a row, e.g. when loading from the store; foreach
 * visits every row (order unspecified) until cb returns non-zero. */
const struct insight_agg *insight_metrics_row(const struct insight_metrics *m,
                                               const struct insight_key *k);
void insight_metrics_put_row(struct insight_metrics *m, const struct insight_key *k,
                             const struct insight_agg *a);
int insight_metrics_foreach(const struct insight_metrics *m,
                            int (*cb)(const struct insight_key *k, const struct insight_agg *a,
                                      void *ctx),
                            void *ctx);
size_t insight_metrics_row_count(const struct insight_metrics *m);
size_t insight_metrics_ticket_count(const struct insight_metrics *m);

/* Snapshot of the whole engine (rows, ticket and customer states,
 * categories, config) for a fast restart of the same build: binary, with
 * the struct sizes in the header and an FNV-1a 64 checksum at the end.
 * Portable persistence of rows is insight_agg_to_json(). save appends to
 * out. load returns a new engine in *out, or PL_EFORMAT (not a snapshot,
 * another version or build, values out of range) or PL_ECHECKSUM. */
void insight_metrics_save(const struct insight_metrics *m, struct buf *out);
int insight_metrics_load(const char *p, size_t len, struct insight_metrics **out);

/* A period's report. Rates and means are NAN when undefined (n == 0). */
struct insight_report {
    int64_t from, to;              /* [from, to) */
    enum insight_dim dim;
    int64_t value;
    struct insight_agg sum;        /* merged rows */
    double frt_mean_ms, frt_p50_ms, frt_p90_ms;
    double ttr_mean_ms, ttr_p50_ms, ttr_p90_ms;
    double aht_mean_ms, aht_p50_ms;
    double fcr_rate;               /* fcr / first_resolved */
    double reopen_rate;            /* reopened / resolved */
    double escalation_rate;        /* escalated / created */
    double sla_first_rate, sla_resolve_rate;
    double csat_mean, csat_sat_share;
    double nps;                    /* % promoters − % detractors, −100..100 */
    double sentiment_mean, negative_share;
    double emo_share[INSIGHT_EMO__COUNT];
    int64_t backlog_end;           /* open tickets at `to` */
};

/* Merges the rows of [from, to) at granularity gran (from/to are rounded
 * down to bucket starts) for one dimension value. O(number of buckets),
 * never more than the span of the data, whatever from/to are. */
void insight_metrics_query(const struct insight_metrics *m, enum insight_gran gran, int64_t from,
                           int64_t to, enum insight_dim dim, int64_t value,
                           struct insight_report *out);
/* The same for several values of one dimension merged — a team is the
 * set of its agents, a product line a set of categories. */
void insight_metrics_query_set(const struct insight_metrics *m, enum insight_gran gran,
                               int64_t from, int64_t to, enum insight_dim dim,
                               const int64_t *values, size_t nvalues, struct insight_report *out);
/* Splits [from, to) into n equal periods (n ≤ 1000) and fills out[0..n-1];
 * *ttr_slope receives the least-squares slope of the mean time to
 * resolution in ms per period (NaN periods skipped). */
void insight_metrics_series(const struct insight_metrics *m, enum insight_gran gran, int64_t from,
                            int64_t to, int n, enum insight_dim dim, int64_t value,
                            struct insight_report *out, double *ttr_slope);
/* Appends the report as one CSV line (RFC 4180, "." decimals, durations in
 * minutes, empty cells for undefined values) to out, preceded by the
 * header line when header is true. */
void insight_report_csv(const struct insight_report *r, bool header, struct buf *out);
/* Returns a new JSON object of the report (NaN → null); caller decrefs. */
json_t *insight_report_to_json(const struct insight_report *r);

#endif
