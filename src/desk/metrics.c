/* metrics.c — live service metrics: the insight engine fed with every
 * committed event, in order.
 *
 * The events table is the source of truth; the aggregates are derived
 * state. At open the engine replays the stored events; after each commit
 * the writer feeds it the events that commit added (read back by id), so
 * only committed events are ever counted and a crash loses nothing that a
 * replay cannot rebuild. Dashboards read merged aggregate rows: no scan of
 * tickets at any size. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/log.h"
#include "insight/metrics.h"

#include <stdlib.h>

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
            insight_metrics_apply(d->metrics, &ev[i]);
            d->metrics_last = ev[i].id;
        }
        pthread_rwlock_unlock(&d->metrics_lock);
        store_free_events(ev, n);
        if (n < 1000)
            return 0;
    }
}

/* Runs on the writer thread, so the replay and the updates that follow
 * each commit can never interleave. */
static int enable_fn(struct desk_tx *tx, void *arg)
{
    (void)arg;
    struct desk *d = tx->d;
    if (d->metrics)
        return 0;
    pthread_rwlock_init(&d->metrics_lock, NULL);
    d->metrics_last = 0;
    d->metrics = insight_metrics_new(NULL);
    int rc = desk_metrics_catch_up(d, tx->st);
    if (rc)
        log_error("metrics: cannot replay events: %s", parley_strerror(rc));
    return rc;
}

int desk_metrics_enable(struct desk *d)
{
    return desk_exec(d, enable_fn, NULL);
}

void desk_metrics_close(struct desk *d)
{
    if (!d->metrics)
        return;
    insight_metrics_free(d->metrics);
    d->metrics = NULL;
    pthread_rwlock_destroy(&d->metrics_lock);
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

int desk_category_id(struct desk *d, const char *name)
{
    if (!d->metrics)
        return 0;
    pthread_rwlock_rdlock(&d->metrics_lock);
    int id = insight_metrics_category_id(d->metrics, name);
    pthread_rwlock_unlock(&d->metrics_lock);
    return id;
}
