/* metrics_bench.c — feeds a synthetic year of help-desk events through the
 * incremental metrics engine and times the apply path and dashboard
 * queries (docs/insight.md). Deterministic data; timings vary by machine.
 *
 * usage: metrics_bench [--tickets N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "insight/metrics.h"
#include "insight/stats.h"

#define HOUR 3600000LL
#define DAY 86400000LL

static int64_t seq;
static double apply_ns;
static long long nevents;

static void feed(struct insight_metrics *m, const char *type, int64_t ticket, int64_t cust,
                 const char *after, int64_t at)
{
    struct event e = {0};
    e.id = ++seq;
    e.type = (char *)type;
    e.ticket_id = ticket;
    e.customer_id = cust;
    e.after = (char *)after;
    e.created_at = at;
    int64_t t0 = clock_mono_ns();
    if (insight_metrics_apply(m, &e)) {
        fprintf(stderr, "apply failed\n");
        exit(1);
    }
    apply_ns += (double)(clock_mono_ns() - t0);
    nevents++;
}

int main(int argc, char **argv)
{
    long n = 200000;
    if (argc == 3 && !strcmp(argv[1], "--tickets"))
        n = atol(argv[2]);
    if (n < 1000 || n > 5000000)
        n = 200000;
    struct insight_metrics *m = insight_metrics_new(NULL);
    struct insight_rng r = {1};
    static const char *cats[] = {"billing", "delivery", "quality", "refund", "account",
                                 "technical", "other", "fraud", "returns", "warranty"};
    static const char *prio[] = {"low", "normal", "high", "urgent"};
    static const char *chan[] = {"email", "chat", "web", "phone", "social", "api"};
    int64_t start = clock_days_from_civil(2026, 1, 1) * DAY, span = 365 * DAY;
    char buf[160];
    /* Tickets arrive in time order; each one's events are applied at once,
     * which is the same work as interleaving them. */
    for (long i = 0; i < n; i++) {
        int64_t t = start + (int64_t)((double)span * (double)i / (double)n);
        int64_t id = i + 1, cust = 1 + (int64_t)(insight_rng_uniform(&r) * (double)n * 0.6);
        snprintf(buf, sizeof buf, "{\"channel\":\"%s\",\"priority\":\"%s\"}",
                 chan[insight_rng_next(&r) % 6], prio[insight_rng_next(&r) % 4]);
        feed(m, "ticket.created", id, cust, buf, t);
        snprintf(buf, sizeof buf, "{\"sentiment\":%.2f,\"emotion\":\"anger\"}",
                 insight_rng_uniform(&r) * 2 - 1);
        feed(m, "message.inbound", id, cust, buf, t);
        snprintf(buf, sizeof buf, "{\"category\":\"%s\"}", cats[insight_rng_next(&r) % 10]);
        feed(m, "ticket.category", id, cust, buf, t + 60000);
        snprintf(buf, sizeof buf, "{\"assignee_id\":%d}", 1 + (int)(insight_rng_next(&r) % 50));
        feed(m, "ticket.assignee", id, cust, buf, t + 60000);
        int64_t fr = t + (int64_t)(insight_rng_uniform(&r) * 4 * HOUR);
        feed(m, "message.reply", id, cust, "{}", fr);
        int64_t res = fr + (int64_t)(insight_rng_uniform(&r) * 48 * HOUR);
        feed(m, "ticket.status", id, cust, "{\"status\":\"resolved\"}", res);
        if (insight_rng_uniform(&r) < 0.3) {
            snprintf(buf, sizeof buf, "{\"score\":%d}", 1 + (int)(insight_rng_next(&r) % 5));
            feed(m, "survey.answered", id, cust, buf, res + HOUR);
        }
    }
    printf("%ld tickets, %lld events: %.2f µs per event (apply incl. JSON parsing), %zu rows, "
           "%zu ticket states, ~%.0f MB of rows\n",
           n, nevents, apply_ns / 1e3 / (double)nevents, insight_metrics_row_count(m),
           insight_metrics_ticket_count(m),
           (double)insight_metrics_row_count(m) * (double)(sizeof(struct insight_agg) + 32) / 1e6);
    struct {
        const char *what;
        enum insight_gran g;
        int64_t from, to;
        enum insight_dim d;
        int64_t v;
    } q[] = {
        {"last 30 days, all, day rows", INSIGHT_DAY, start + 335 * DAY, start + span,
         INSIGHT_DIM_ALL, 0},
        {"last 30 days, one agent", INSIGHT_DAY, start + 335 * DAY, start + span,
         INSIGHT_DIM_AGENT, 7},
        {"whole year, one category", INSIGHT_DAY, start, start + span, INSIGHT_DIM_CATEGORY, 1},
        {"last 24 hours, all, hour rows", INSIGHT_HOUR, start + span - DAY, start + span,
         INSIGHT_DIM_ALL, 0},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        struct insight_report rep;
        int64_t t0 = clock_mono_ns();
        int reps = 20;
        for (int k = 0; k < reps; k++)
            insight_metrics_query(m, q[i].g, q[i].from, q[i].to, q[i].d, q[i].v, &rep);
        double ms = (double)(clock_mono_ns() - t0) / 1e6 / reps;
        printf("query %-32s %8.3f ms  (created %lld, FRT p90 %.0f min, backlog %lld)\n", q[i].what,
               ms, (long long)rep.sum.created, rep.frt_p90_ms / 60000.0,
               (long long)rep.backlog_end);
    }
    /* A dashboard: 12 monthly periods with the TTR trend, for all. */
    struct insight_report months[12];
    double slope;
    int64_t t0 = clock_mono_ns();
    insight_metrics_series(m, INSIGHT_DAY, start, start + span, 12, INSIGHT_DIM_ALL, 0, months,
                           &slope);
    printf("series 12 months + TTR trend           %8.3f ms\n",
           (double)(clock_mono_ns() - t0) / 1e6);
    /* Snapshot for a fast restart. */
    struct buf b = BUF_INIT;
    t0 = clock_mono_ns();
    insight_metrics_save(m, &b);
    double save_ms = (double)(clock_mono_ns() - t0) / 1e6;
    struct insight_metrics *m2;
    t0 = clock_mono_ns();
    int rc = insight_metrics_load(b.ptr, b.len, &m2);
    double load_ms = (double)(clock_mono_ns() - t0) / 1e6;
    printf("snapshot %.0f MB: save %.0f ms, load %.0f ms (%s)\n", (double)b.len / 1e6, save_ms,
           load_ms, rc ? "failed" : "ok");
    if (!rc)
        insight_metrics_free(m2);
    buf_release(&b);
    insight_metrics_free(m);
    return 0;
}
