/* metrics.c — live service metrics: the insight engine fed with every
 * committed event, in order.
 *
 * The events table is the source of truth; the aggregates are derived
 * state. At open the engine replays the stored events; after each commit
 * the writer feeds it the events that commit added (read back by id), so
 * only committed events are ever counted and a crash loses nothing that a
 * replay cannot rebuild. Dashboards read merged aggregate rows: no scan of
 * tickets at any size.
 *
 * Drill-down: the engine reports each fact it counts (which ticket, under
 * which dimensions); the writer stores them in metric_facts in its next
 * transaction — or in one of their own when no job comes within a few
 * milliseconds — together with
 * the setting metrics_facts_through (the last event fed). At open, the
 * replay stores the facts of the events after that mark, so a crash
 * between a commit and its facts loses nothing. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "insight/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACTS_MARK "metrics_facts_through"

static void on_fact(void *ctx, const struct insight_fact *f)
{
    struct desk *d = ctx;
    if (d->metrics_applying <= d->facts_through)
        return;
    if (d->nfacts == d->capfacts) {
        d->capfacts = d->capfacts ? d->capfacts * 2 : 256;
        d->facts = xrealloc(d->facts, d->capfacts * sizeof *d->facts);
    }
    d->facts[d->nfacts++] = (struct metric_fact){
        d->metrics_applying, (int)f->kind, f->ticket_id, f->at, f->agent,
        f->category ? xstrdup(f->category) : NULL, f->channel, f->priority, f->value, f->label};
}

int desk_metrics_flush_facts(struct desk *d, struct store *st)
{
    if (d->facts_flushed == d->nfacts)
        return 0;
    for (size_t i = d->facts_flushed; i < d->nfacts; i++) {
        const struct metric_fact *f = &d->facts[i];
        int rc = f->kind == INSIGHT_FACT_FCR_WITHDRAWN
                     ? st->ops->fact_withdraw(st, INSIGHT_FACT_FCR, f->ticket_id)
                     : st->ops->fact_insert(st, f);
        if (rc)
            return rc;
    }
    char mark[24];
    snprintf(mark, sizeof mark, "%lld", (long long)d->metrics_last);
    int rc = st->ops->setting_set(st, FACTS_MARK, mark);
    if (rc == 0)
        d->facts_flushed = d->nfacts;
    return rc;
}

void desk_metrics_facts_done(struct desk *d, int committed)
{
    if (!committed) {
        d->facts_flushed = 0;
        return;
    }
    size_t k = d->facts_flushed;
    if (k == 0)
        return;
    desk_conflicts_facts(d, d->facts, k);
    for (size_t i = 0; i < k; i++)
        free(d->facts[i].category);
    memmove(d->facts, d->facts + k, (d->nfacts - k) * sizeof *d->facts);
    d->nfacts -= k;
    d->facts_flushed = 0;
}

int desk_metrics_facts_pending(const struct desk *d)
{
    return d->nfacts > d->facts_flushed;
}

int desk_metrics_mark_facts(struct desk *d, struct store *st)
{
    if (!d->metrics_facts || desk_metrics_facts_pending(d))
        return PL_ESTATE;
    char mark[24];
    snprintf(mark, sizeof mark, "%lld", (long long)d->metrics_last);
    int rc = st->ops->begin(st);
    if (rc == 0 && (rc = st->ops->setting_set(st, FACTS_MARK, mark)) == 0)
        rc = st->ops->commit(st);
    if (rc)
        st->ops->rollback(st);
    return rc;
}

/* Feeds every event with id > d->metrics_last. Writer thread or open. */
int desk_metrics_catch_up(struct desk *d, struct store *st)
{
    if (!d->metrics)
        return 0;
    for (;;) {
        struct event_filter f = {.after_id = d->metrics_last, .limit = 1000};
        struct event *ev = NULL;
        size_t n = 0;
        int rc = st->ops->event_list(st, &f, &ev, &n);
        if (rc)
            return rc;
        pthread_rwlock_wrlock(&d->metrics_lock);
        for (size_t i = 0; i < n; i++) {
            d->metrics_applying = ev[i].id;
            insight_metrics_apply(d->metrics, &ev[i]);
            insight_risk_track_apply(d->risk_track, &ev[i]);
            d->metrics_last = ev[i].id;
        }
        pthread_rwlock_unlock(&d->metrics_lock);
        desk_conflicts_feed(d, st, ev, n);
        store_free_events(ev, n);
        /* Replaying at open (inside the enabling transaction): store the
         * facts as they come rather than hold a whole history in memory.
         * Should that transaction fail, its mark fails with it and the
         * next start replays them again. */
        if (d->metrics_replaying) {
            if ((rc = desk_metrics_flush_facts(d, st)))
                return rc;
            desk_metrics_facts_done(d, 1);
        }
        if (n < 1000)
            return 0;
    }
}

/* Runs on the writer thread, so the replay and the updates that follow
 * each commit can never interleave. */
static int enable_fn(struct desk_tx *tx, void *arg)
{
    bool facts = arg != NULL;
    struct desk *d = tx->d;
    if (d->metrics)
        return 0;
    pthread_rwlock_init(&d->metrics_lock, NULL);
    d->metrics_last = 0;
    struct insight_metrics_config cfg;
    memset(&cfg, 0, sizeof cfg);
    insight_metrics_config_default(&cfg);
    cfg.repeat_window_ms = d->repeat_window_ms;   /* the desk's repeat links (feedback.c) */
    d->metrics_cfg = cfg;
    d->metrics = insight_metrics_new(&cfg);
    d->risk_track = insight_risk_track_new(false);
    char *mark = NULL;
    d->facts_through = 0;
    if (tx->st->ops->setting_get(tx->st, FACTS_MARK, &mark) == 0)
        d->facts_through = strtoll(mark, NULL, 10);
    free(mark);
    /* A snapshot past the stored facts would skip recording some. */
    desk_metrics_snap_load(d, tx->st, facts ? d->facts_through : INT64_MAX);
    d->metrics_facts = facts;
    if (facts)
        insight_metrics_on_fact(d->metrics, on_fact, d);
    d->metrics_replaying = true;
    int rc = desk_metrics_catch_up(d, tx->st);
    d->metrics_replaying = false;
    if (rc)
        log_error("metrics: cannot replay events: %s", parley_strerror(rc));
    else if (desk_conflicts_build(d, tx->st))
        log_error("metrics: cannot read the conflict tickets; the ROI reads the store");
    return rc;
}

int desk_metrics_enable(struct desk *d)
{
    return desk_exec(d, enable_fn, d);
}

int desk_metrics_enable_aggregates(struct desk *d)
{
    return desk_exec(d, enable_fn, NULL);
}

void desk_metrics_close(struct desk *d)
{
    for (int k = 0; k < INSIGHT_RISK__COUNT; k++) {
        free(d->risk_model[k]);
        d->risk_model[k] = NULL;
    }
    if (!d->metrics)
        goto out;
    desk_metrics_snap_save(d, d->writer);
    insight_metrics_free(d->metrics);
    d->metrics = NULL;
    insight_conflicts_free(d->conflicts);
    d->conflicts = NULL;
    d->facts_flushed = d->nfacts;
    desk_metrics_facts_done(d, 1);
    free(d->facts);
    d->facts = NULL;
    d->capfacts = 0;
    insight_risk_track_free(d->risk_track);
    d->risk_track = NULL;
    pthread_rwlock_destroy(&d->metrics_lock);
out:
    free(d->metrics_snap);
    d->metrics_snap = NULL;
}

/* Without desk_metrics_enable() there are no aggregates: reports are
 * empty (every count 0, every rate NaN) rather than wrong. */
void desk_report(struct desk *d, enum insight_gran gran, int64_t from, int64_t to,
                 enum insight_dim dim, int64_t value, struct insight_report *out)
{
    if (!d->metrics) {
        struct insight_metrics *none = insight_metrics_new(NULL);
        insight_metrics_query(none, gran, from, to, dim, value, out);
        insight_metrics_free(none);
        return;
    }
    pthread_rwlock_rdlock(&d->metrics_lock);
    insight_metrics_query(d->metrics, gran, from, to, dim, value, out);
    pthread_rwlock_unlock(&d->metrics_lock);
}

void desk_report_series(struct desk *d, enum insight_gran gran, int64_t from, int64_t to, int n,
                        enum insight_dim dim, int64_t value, struct insight_report *out,
                        double *ttr_slope)
{
    if (!d->metrics) {
        struct insight_metrics *none = insight_metrics_new(NULL);
        insight_metrics_series(none, gran, from, to, n, dim, value, out, ttr_slope);
        insight_metrics_free(none);
        return;
    }
    pthread_rwlock_rdlock(&d->metrics_lock);
    insight_metrics_series(d->metrics, gran, from, to, n, dim, value, out, ttr_slope);
    pthread_rwlock_unlock(&d->metrics_lock);
}

void desk_report_set(struct desk *d, enum insight_gran gran, int64_t from, int64_t to,
                     enum insight_dim dim, const int64_t *values, size_t n,
                     struct insight_report *out)
{
    if (!d->metrics) {
        struct insight_metrics *none = insight_metrics_new(NULL);
        insight_metrics_query_set(none, gran, from, to, dim, values, n, out);
        insight_metrics_free(none);
        return;
    }
    pthread_rwlock_rdlock(&d->metrics_lock);
    insight_metrics_query_set(d->metrics, gran, from, to, dim, values, n, out);
    pthread_rwlock_unlock(&d->metrics_lock);
}

char *desk_category_name(struct desk *d, int id)
{
    if (!d->metrics)
        return NULL;
    pthread_rwlock_rdlock(&d->metrics_lock);
    const char *s = insight_metrics_category_name(d->metrics, id);
    char *copy = s ? xstrdup(s) : NULL;
    pthread_rwlock_unlock(&d->metrics_lock);
    return copy;
}

int desk_category_id(struct desk *d, const char *name)
{
    if (!d->metrics)
        return 0;
    pthread_rwlock_rdlock(&d->metrics_lock);
    int id = insight_metrics_category_id(d->metrics, name);
    pthread_rwlock_unlock(&d->metrics_lock);
    return id;
}
