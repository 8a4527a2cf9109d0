/* test_metrics.c — service metrics on a small hand-checked history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "insight/metrics.h"
#include "test_insight.h"

#define MIN 60000LL
#define HOUR 3600000LL
#define DAY 86400000LL

static int64_t day0(void)
{
    return clock_days_from_civil(2026, 11, 2) * DAY; /* a Monday */
}

static int64_t at(int h, int mi)
{
    return day0() + h * HOUR + mi * MIN;
}

static enum actor_kind actor = ACTOR_USER;

static int feed(struct insight_metrics *m, const char *type, int64_t ticket, int64_t customer,
                const char *before, const char *after, int64_t when)
{
    static int64_t seq;
    struct event e = {0};
    e.id = ++seq;
    e.type = (char *)type;
    e.actor_kind = actor;
    e.actor_id = 7;
    e.ticket_id = ticket;
    e.customer_id = customer;
    e.before = (char *)before;
    e.after = (char *)after;
    e.created_at = when;
    return insight_metrics_apply(m, &e);
}

#define FEED(...) assert_int_equal(feed(m, __VA_ARGS__), 0)

/* The history of docs/insight.md §"worked example" (day 1, Monday):
 *  t1 cust 10 email normal: created 09:00, assigned agent 7 + category
 *     billing 09:05, reply 09:30, resolved 11:00, CSAT 5 at 12:00.
 *  t2 cust 11 chat high: created 10:00, agent 7 10:00, reply 12:00,
 *     inbound 12:30, reply 13:00, resolved 14:00, reopened 15:00,
 *     resolved 16:00, CSAT 2 at 16:30.
 *  t3 cust 10 email: created 13:00 (repeat contact: t1 resolved 11:00),
 *     reply 13:10, escalated 13:20; stays open.
 *  t4 cust 12 web: created 20:00; never answered.
 * Day 2: t5 cust 13 created 08:00, reply 08:20, resolved 13:00 (TTR 5 h). */
static void (*history_hook)(void *ctx, const struct insight_fact *f);
static void *history_ctx;

static struct insight_metrics *history(void)
{
    struct insight_metrics_config c;
    insight_metrics_config_default(&c);
    for (int p = 0; p < PRIORITY__COUNT; p++) {
        c.first_target_ms[p] = HOUR;
        c.resolve_target_ms[p] = 3 * HOUR;
    }
    struct insight_metrics *m = insight_metrics_new(&c);
    insight_metrics_on_fact(m, history_hook, history_ctx);
    const char *nw = "{\"status\":\"new\"}", *op = "{\"status\":\"open\"}",
               *rs = "{\"status\":\"resolved\"}";
    FEED("ticket.created", 1, 10, NULL,
         "{\"channel\":\"email\",\"priority\":\"normal\",\"status\":\"new\"}", at(9, 0));
    FEED("message.inbound", 1, 10, NULL,
         "{\"channel\":\"email\",\"analysis\":{\"sentiment\":-0.5,\"emotion\":\"anger\"}}",
         at(9, 0));
    FEED("ticket.assignee", 1, 10, "{\"assignee_id\":0}", "{\"assignee_id\":7}", at(9, 5));
    FEED("ticket.category", 1, 10, "{\"category\":null}", "{\"category\":\"billing\"}", at(9, 5));
    FEED("message.reply", 1, 10, NULL, "{\"body\":\"hi\"}", at(9, 30));
    FEED("ticket.status", 1, 10, nw, op, at(9, 30));
    FEED("ticket.status", 1, 10, op, rs, at(11, 0));
    FEED("survey.answered", 1, 10, NULL, "{\"score\":5}", at(12, 0));

    FEED("ticket.created", 2, 11, NULL, "{\"channel\":\"chat\",\"priority\":\"high\"}", at(10, 0));
    FEED("message.inbound", 2, 11, NULL, "{\"sentiment\":-0.8,\"emotion\":\"anger\"}", at(10, 0));
    FEED("ticket.assignee", 2, 11, NULL, "{\"assignee_id\":7}", at(10, 0));
    FEED("message.reply", 2, 11, NULL, "{}", at(12, 0));
    FEED("ticket.status", 2, 11, nw, op, at(12, 0));
    FEED("message.inbound", 2, 11, NULL, "{\"sentiment\":0.2,\"emotion\":\"neutral\"}", at(12, 30));
    FEED("message.reply", 2, 11, NULL, "{}", at(13, 0));
    FEED("ticket.status", 2, 11, op, rs, at(14, 0));
    FEED("ticket.status", 2, 11, rs, op, at(15, 0));
    FEED("ticket.status", 2, 11, op, rs, at(16, 0));
    FEED("survey.answered", 2, 11, NULL, "{\"score\":2,\"nps\":3}", at(16, 30));

    FEED("ticket.created", 3, 10, NULL, "{\"channel\":\"email\"}", at(13, 0));
    FEED("message.inbound", 3, 10, NULL, "{\"sentiment\":-0.3,\"emotion\":\"frustration\"}",
         at(13, 0));
    FEED("message.reply", 3, 10, NULL, "{}", at(13, 10));
    FEED("ticket.escalated", 3, 10, NULL, "{\"reason\":\"legal threat\"}", at(13, 20));

    FEED("ticket.created", 4, 12, NULL, "{\"channel\":\"web\"}", at(20, 0));
    FEED("message.inbound", 4, 12, NULL, "{\"sentiment\":0.5,\"emotion\":\"satisfaction\"}",
         at(20, 0));

    FEED("ticket.created", 5, 13, NULL, "{\"channel\":\"web\"}", at(24 + 8, 0));
    FEED("message.reply", 5, 13, NULL, "{}", at(24 + 8, 20));
    FEED("ticket.status", 5, 13, nw, rs, at(24 + 13, 0));
    return m;
}

static void near_rel(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("got %f want %f (±%.0f%%)\n", got, want, rel * 100);
        fail();
    }
}

static void test_day_all(void **state)
{
    (void)state;
    struct insight_metrics *m = history();
    struct insight_report r;
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.created, 4);
    assert_int_equal(r.sum.inbound, 5);
    assert_int_equal(r.sum.replies, 4);
    /* FRT: 30, 120, 10 min → mean 160/3 min; median 30 min; p90 = 120 min. */
    assert_int_equal(r.sum.frt_n, 3);
    near_rel(r.frt_mean_ms, 160.0 / 3 * MIN, 1e-9);
    near_rel(r.frt_p50_ms, 30.0 * MIN, 0.09);
    near_rel(r.frt_p90_ms, 120.0 * MIN, 0.09);
    /* TTR (first resolutions): t1 2 h, t2 4 h. */
    assert_int_equal(r.sum.ttr_n, 2);
    near_rel(r.ttr_mean_ms, 3.0 * HOUR, 1e-9);
    /* Resolutions: t1 11:00, t2 14:00 and 16:00; one reopen. */
    assert_int_equal(r.sum.resolved, 3);
    assert_int_equal(r.sum.first_resolved, 2);
    assert_int_equal(r.sum.reopened, 1);
    near_rel(r.reopen_rate, 1.0 / 3, 1e-9);
    /* FCR: t1 had one reply but its customer came back (t3) → 0 of 2. */
    assert_int_equal(r.sum.fcr, 0);
    assert_true(r.fcr_rate == 0.0);
    assert_int_equal(r.sum.repeat_contacts, 1);
    near_rel(r.escalation_rate, 0.25, 1e-9);
    /* SLA 1 h first response: 30 and 10 min met, 120 min missed. */
    near_rel(r.sla_first_rate, 2.0 / 3, 1e-9);
    /* SLA 3 h resolution: 2 h met, 4 h missed. */
    near_rel(r.sla_resolve_rate, 0.5, 1e-9);
    /* CSAT 5 and 2. NPS one detractor of one. */
    near_rel(r.csat_mean, 3.5, 1e-9);
    near_rel(r.csat_sat_share, 0.5, 1e-9);
    near_rel(r.nps, -100.0, 1e-9);
    /* Sentiment −0.5 −0.8 +0.2 −0.3 +0.5 → mean −0.18, 3 of 5 negative. */
    near_rel(r.sentiment_mean, -0.18, 1e-9);
    near_rel(r.negative_share, 0.6, 1e-9);
    near_rel(r.emo_share[INSIGHT_EMO_ANGER], 0.4, 1e-9);
    near_rel(r.emo_share[INSIGHT_EMO_SATISFACTION], 0.2, 1e-9);
    /* Handling (15-min cap): t1 reply after 30 min → 15; t2 replies after
     * 2 h and 30 min → 15 + 15 = 30 at 14:00; 0 at 16:00 → 45/3 = 15 min. */
    assert_int_equal(r.sum.aht_n, 3);
    near_rel(r.aht_mean_ms, 15.0 * MIN, 1e-9);
    /* Backlog: 4 created − 3 resolved + 1 reopened = t3 and t4. */
    assert_int_equal(r.backlog_end, 2);
    insight_metrics_free(m);
}

static void test_dimensions(void **state)
{
    (void)state;
    struct insight_metrics *m = history();
    struct insight_report r;
    /* Agent 7 answered t1 (30 min) and t2 (2 h); tickets were created
     * unassigned, so "created" counts under agent 0. */
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_AGENT, 7, &r);
    assert_int_equal(r.sum.frt_n, 2);
    near_rel(r.frt_mean_ms, 75.0 * MIN, 1e-9);
    assert_int_equal(r.sum.created, 0);
    assert_int_equal(r.backlog_end, 0);
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_AGENT, 0, &r);
    assert_int_equal(r.sum.created, 4);
    assert_int_equal(r.backlog_end, 2);
    /* A "team" of agents 0 and 7 is the whole desk. */
    int64_t team[] = {0, 7};
    struct insight_report all;
    insight_metrics_query_set(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_AGENT, team, 2, &r);
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0, &all);
    assert_memory_equal(&r.sum, &all.sum, sizeof r.sum);
    assert_int_equal(r.backlog_end, all.backlog_end);
    /* Category billing: t1 only. */
    int billing = insight_metrics_category_id(m, "billing");
    assert_true(billing > 0);
    assert_string_equal(insight_metrics_category_name(m, billing), "billing");
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_CATEGORY, billing, &r);
    assert_int_equal(r.sum.frt_n, 1);
    near_rel(r.frt_mean_ms, 30.0 * MIN, 1e-9);
    near_rel(r.csat_mean, 5.0, 1e-9);
    assert_int_equal(r.backlog_end, 0);
    /* Priority high: t2; channel chat: t2. */
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_PRIORITY,
                          PRIORITY_HIGH, &r);
    assert_int_equal(r.sum.created, 1);
    near_rel(r.ttr_mean_ms, 4.0 * HOUR, 1e-9);
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_CHANNEL, CHANNEL_EMAIL,
                          &r);
    assert_int_equal(r.sum.created, 2);
    /* Hours 09–12 of "all": t1 and t2 created, one first response, backlog 1. */
    insight_metrics_query(m, INSIGHT_HOUR, at(9, 0), at(12, 0), INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.created, 2);
    assert_int_equal(r.sum.frt_n, 1);
    assert_int_equal(r.backlog_end, 1);
    insight_metrics_free(m);
}

static void test_trend_and_json(void **state)
{
    (void)state;
    struct insight_metrics *m = history();
    struct insight_report s[2];
    double slope;
    insight_metrics_series(m, INSIGHT_DAY, day0(), day0() + 2 * DAY, 2, INSIGHT_DIM_ALL, 0, s,
                           &slope);
    near_rel(s[1].ttr_mean_ms, 5.0 * HOUR, 1e-9); /* t5: 08:00 → 13:00 */
    near_rel(slope, 2.0 * HOUR, 1e-9);              /* 3 h then 5 h */
    assert_int_equal(s[1].backlog_end, 2);
    assert_true(s[1].sum.fcr == 1); /* t5: one reply, no return */

    /* Every row survives a JSON round trip bit for bit. */
    size_t rows = insight_metrics_row_count(m);
    assert_true(rows > 10);
    struct insight_key k = {day0(), INSIGHT_DAY, INSIGHT_DIM_ALL, 0};
    const struct insight_agg *a = insight_metrics_row(m, &k);
    assert_non_null(a);
    json_t *j = insight_agg_to_json(a);
    char *txt = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    json_t *back = json_loads(txt, 0, NULL);
    struct insight_agg b;
    assert_int_equal(insight_agg_from_json(back, &b), 0);
    assert_memory_equal(a, &b, sizeof b);
    json_decref(back);
    free(txt);
    /* A restored engine answers the same. */
    struct insight_metrics *m2 = insight_metrics_new(NULL);
    insight_metrics_put_row(m2, &k, &b);
    struct insight_report r1, r2;
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0, &r1);
    insight_metrics_query(m2, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0, &r2);
    assert_memory_equal(&r1.sum, &r2.sum, sizeof r1.sum);
    struct buf csv = BUF_INIT;
    insight_report_csv(&r1, true, &csv);
    assert_non_null(strstr(csv.ptr, "from,to,dim,value,created,"));
    /* created 4, FRT mean 53.3333 min, NPS −100, backlog 2 */
    assert_non_null(strstr(csv.ptr, "\r\n2026-11-02T00:00:00.000Z,2026-11-03T00:00:00.000Z,all,0,4,3,1,1,5,4,53.3333,"));
    assert_non_null(strstr(csv.ptr, ",-100,-0.18,0.6,2\r\n"));
    buf_release(&csv);
    json_t *rj = insight_report_to_json(&r1);
    assert_non_null(rj);
    assert_true(json_is_null(json_object_get(rj, "frt_p90_ms")) == 0);
    json_decref(rj);
    insight_metrics_free(m2);
    insight_metrics_free(m);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct insight_metrics *m = insight_metrics_new(NULL);
    assert_int_equal(feed(m, "ticket.status", 1, 1, NULL, "{\"status\":", 1), PL_EPARSE);
    assert_int_equal(feed(m, "ticket.status", 1, 1, NULL, "[1]", 1), PL_EPARSE);
    assert_int_equal(feed(m, "ticket.status", 1, 1, NULL, "{\"status\":\"flying\"}", 1), PL_EINVAL);
    assert_int_equal(feed(m, "survey.answered", 1, 1, NULL, "{\"score\":9}", 1), PL_EINVAL);
    assert_int_equal(feed(m, "survey.answered", 1, 1, NULL, "{\"score\":\"5\"}", 1), PL_EINVAL);
    assert_int_equal(feed(m, "ticket.assignee", 1, 1, NULL, "{\"assignee_id\":\"x\"}", 1),
                     PL_EINVAL);
    assert_int_equal(feed(m, "ticket.created", 0, 1, NULL, "{}", 1), PL_EINVAL);
    assert_int_equal(feed(m, "user.login", 0, 0, NULL, "{}", 1), 0);
    assert_int_equal(feed(m, "ticket.created", 1, 1, NULL, "{}", INT64_MAX), PL_EINVAL);
    assert_int_equal(feed(m, "ticket.created", 1, 1, NULL, "{}", INT64_MIN), PL_EINVAL);
    assert_int_equal(insight_metrics_row_count(m), 0);
    struct insight_agg a;
    json_t *j = json_pack("{s:s}", "created", "many");
    assert_int_equal(insight_agg_from_json(j, &a), PL_EPARSE);
    json_decref(j);
    j = json_pack("{s:[[i,i]]}", "frt_hist", 500, 1);
    assert_int_equal(insight_agg_from_json(j, &a), PL_EPARSE);
    json_decref(j);
    assert_int_equal(insight_agg_from_json(NULL, &a), PL_EPARSE);
    /* Messages for a ticket never seen created count, but no times. */
    assert_int_equal(feed(m, "message.reply", 9, 1, NULL, "{}", 5000), 0);
    struct insight_report r;
    insight_metrics_query(m, INSIGHT_DAY, 0, DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.replies, 1);
    assert_int_equal(r.sum.frt_n, 0);
    assert_true(isnan(r.frt_mean_ms));
    /* An automatic acknowledgement is not a first response. */
    assert_int_equal(feed(m, "ticket.created", 20, 2, NULL, "{}", 10000), 0);
    actor = ACTOR_SYSTEM;
    assert_int_equal(feed(m, "message.reply", 20, 2, NULL, "{}", 10000), 0);
    actor = ACTOR_USER;
    assert_int_equal(feed(m, "message.reply", 20, 2, NULL, "{}", 70000), 0);
    insight_metrics_query(m, INSIGHT_DAY, 0, DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.frt_n, 1);
    assert_true(r.frt_mean_ms == 60000.0);
    assert_int_equal(r.sum.replies, 3);
    /* An absurd period costs no more than the data's span. */
    insight_metrics_query(m, INSIGHT_HOUR, INT64_MIN / 2, INT64_MAX / 2, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.replies, 3);
    /* Analysis stored as JSON text inside the event is read too. */
    assert_int_equal(feed(m, "message.inbound", 9, 1, NULL,
                          "{\"analysis\":\"{\\\"sentiment\\\":-0.5,\\\"emotion\\\":\\\"anxiety\\\"}\"}",
                          6000), 0);
    insight_metrics_query(m, INSIGHT_DAY, 0, DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.sent_n, 1);
    assert_int_equal(r.sum.emo[INSIGHT_EMO_ANXIETY], 1);
    /* An emotion score vector (triage's form): the strongest one counts. */
    assert_int_equal(feed(m, "message.inbound", 9, 1, NULL,
                          "{\"emotion\":{\"anger\":0.2,\"sadness\":0.7,\"joy\":0.1}}", 7000),
                     0);
    insight_metrics_query(m, INSIGHT_DAY, 0, DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(r.sum.emo[INSIGHT_EMO_SADNESS], 1);
    assert_int_equal(r.sum.sent_n, 1);
    insight_metrics_free(m);
}

static void test_snapshot(void **state)
{
    (void)state;
    struct insight_metrics *m = history();
    struct buf b = BUF_INIT;
    insight_metrics_save(m, &b);
    struct insight_metrics *m2;
    assert_int_equal(insight_metrics_load(b.ptr, b.len, &m2), 0);
    assert_int_equal(insight_metrics_row_count(m2), insight_metrics_row_count(m));
    assert_int_equal(insight_metrics_ticket_count(m2), insight_metrics_ticket_count(m));
    /* Both engines go on identically: t3 resolved, t1's customer returns. */
    for (int k = 0; k < 2; k++) {
        struct insight_metrics *e = k ? m2 : m;
        assert_int_equal(feed(e, "ticket.status", 3, 10, "{\"status\":\"open\"}",
                              "{\"status\":\"resolved\"}", at(24 + 9, 0)), 0);
        assert_int_equal(feed(e, "ticket.created", 6, 10, NULL, "{\"channel\":\"email\"}",
                              at(24 + 10, 0)), 0);
    }
    for (int dim = 0; dim < INSIGHT_DIM__COUNT; dim++) {
        struct insight_report r1, r2;
        int64_t v = dim == INSIGHT_DIM_AGENT ? 7 : dim == INSIGHT_DIM_CATEGORY ? 1 : 0;
        insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + 2 * DAY, (enum insight_dim)dim, v,
                              &r1);
        insight_metrics_query(m2, INSIGHT_DAY, day0(), day0() + 2 * DAY, (enum insight_dim)dim, v,
                              &r2);
        assert_memory_equal(&r1.sum, &r2.sum, sizeof r1.sum);
        assert_int_equal(r1.backlog_end, r2.backlog_end);
    }
    assert_string_equal(insight_metrics_category_name(m2, 1), "billing");
    /* Damage, truncation and foreign bytes are refused. */
    struct insight_metrics *m3;
    b.ptr[b.len / 2] ^= 4;
    assert_int_equal(insight_metrics_load(b.ptr, b.len, &m3), PL_ECHECKSUM);
    assert_null(m3);
    b.ptr[b.len / 2] ^= 4;
    assert_int_equal(insight_metrics_load(b.ptr, b.len - 3, &m3), PL_ECHECKSUM);
    assert_int_equal(insight_metrics_load("parley-risk 1\n", 14, &m3), PL_EFORMAT);
    assert_int_equal(insight_metrics_load(b.ptr, 10, &m3), PL_EFORMAT);
    buf_release(&b);
    insight_metrics_free(m2);
    insight_metrics_free(m);
}

static void test_hist(void **state)
{
    (void)state;
    struct insight_hist h = {{0}};
    assert_true(isnan(insight_hist_quantile(&h, 0.5)));
    for (int i = 1; i <= 1000; i++)
        insight_hist_add(&h, (int64_t)i * 1000);
    near_rel(insight_hist_quantile(&h, 0.5), 500000.0, 0.09);
    near_rel(insight_hist_quantile(&h, 0.9), 900000.0, 0.09);
    assert_int_equal(insight_hist_bin(500), 0);
    assert_int_equal(insight_hist_bin(1000), 1);
    assert_int_equal(insight_hist_bin(INT64_MAX / 2), INSIGHT_HIST_BINS - 1);
}

/* Drill-down facts of the worked example: one per ticket behind each
 * number, under the dimensions of its time. */
struct facts {
    struct insight_fact f[64];
    char cat[64][16];
    int n;
};

static void collect(void *ctx, const struct insight_fact *f)
{
    struct facts *fs = ctx;
    assert_true(fs->n < 64);
    fs->f[fs->n] = *f;
    snprintf(fs->cat[fs->n], sizeof fs->cat[0], "%s", f->category ? f->category : "");
    fs->n++;
}

/* "kind:ticket" of every fact of one kind, in order. */
static void kinds(const struct facts *fs, enum insight_fact_kind k, char *out, size_t len)
{
    out[0] = 0;
    for (int i = 0; i < fs->n; i++)
        if (fs->f[i].kind == k)
            snprintf(out + strlen(out), len - strlen(out), "%lld ", (long long)fs->f[i].ticket_id);
}

static void test_facts(void **state)
{
    (void)state;
    struct facts fs = {0};
    history_hook = collect;
    history_ctx = &fs;
    struct insight_metrics *m = history();
    history_hook = NULL;
    char got[200];
    kinds(&fs, INSIGHT_FACT_CREATED, got, sizeof got);
    assert_string_equal(got, "1 2 3 4 5 ");
    kinds(&fs, INSIGHT_FACT_FIRST_REPLY, got, sizeof got);
    assert_string_equal(got, "1 2 3 5 ");
    kinds(&fs, INSIGHT_FACT_FIRST_RESOLUTION, got, sizeof got);
    assert_string_equal(got, "1 2 5 ");
    kinds(&fs, INSIGHT_FACT_RESOLUTION, got, sizeof got);
    assert_string_equal(got, "1 2 2 5 ");
    kinds(&fs, INSIGHT_FACT_FCR, got, sizeof got);
    assert_string_equal(got, "1 5 ");
    kinds(&fs, INSIGHT_FACT_FCR_WITHDRAWN, got, sizeof got);
    assert_string_equal(got, "1 ");       /* t3 is t1's customer coming back */
    kinds(&fs, INSIGHT_FACT_REOPEN, got, sizeof got);
    assert_string_equal(got, "2 ");
    kinds(&fs, INSIGHT_FACT_ESCALATED, got, sizeof got);
    assert_string_equal(got, "3 ");
    kinds(&fs, INSIGHT_FACT_SURVEY, got, sizeof got);
    assert_string_equal(got, "1 2 ");
    kinds(&fs, INSIGHT_FACT_MOOD, got, sizeof got);
    assert_string_equal(got, "1 2 3 4 "); /* t2's neutral 0.2 is not a mood fact */
    int frt = 0;
    for (int i = 0; i < fs.n; i++) {
        const struct insight_fact *f = &fs.f[i];
        if (f->kind == INSIGHT_FACT_FIRST_REPLY && f->ticket_id == 1) {
            assert_true(f->value == 30 * MIN && f->label == 1 && f->agent == 7);
            assert_string_equal(fs.cat[i], "billing");
        }
        if (f->kind == INSIGHT_FACT_FIRST_REPLY && f->ticket_id == 2)
            assert_true(f->value == 120 * MIN && f->label == 0 &&
                        f->priority == PRIORITY_HIGH && f->channel == CHANNEL_CHAT);
        if (f->kind == INSIGHT_FACT_CREATED)
            assert_int_equal(f->label, f->ticket_id == 3);
        if (f->kind == INSIGHT_FACT_SURVEY && f->ticket_id == 2)
            assert_true(f->value == 2 && f->label == 3);
        if (f->kind == INSIGHT_FACT_MOOD && f->ticket_id == 3)
            assert_true(f->value == -0.3 && f->label == INSIGHT_EMO_FRUSTRATION);
        frt += f->kind == INSIGHT_FACT_FIRST_REPLY && f->at < day0() + DAY;
    }
    struct insight_report r;
    insight_metrics_query(m, INSIGHT_DAY, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0, &r);
    assert_int_equal(frt, r.sum.frt_n);    /* the facts are the tickets behind the number */
    insight_metrics_free(m);
}

/* An engine with no rows answers any query at once with zeros (the hour
 * granularity once looped past INT64_MAX summing a backlog that did not
 * exist). */
static void test_empty(void **state)
{
    (void)state;
    struct insight_metrics *m = insight_metrics_new(NULL);
    struct insight_report r;
    for (int g = 0; g < INSIGHT_GRAN__COUNT; g++) {
        insight_metrics_query(m, (enum insight_gran)g, day0(), day0() + DAY, INSIGHT_DIM_ALL, 0,
                              &r);
        assert_int_equal(r.sum.created, 0);
        assert_int_equal(r.backlog_end, 0);
    }
    insight_metrics_free(m);
}

int run_metrics_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_all),       cmocka_unit_test(test_dimensions),
        cmocka_unit_test(test_trend_and_json), cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hist),          cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_facts),          cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests_name("insight_metrics", tests, NULL, NULL);
}
