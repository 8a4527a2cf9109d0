/* alerts.c — alerts: raised by the online detectors as events commit
 * (complaint spikes per category, deviations from the service standards),
 * or by any use case through desk_alert_raise(); stored, and announced by
 * an "alert.raised" event, so they reach the live stream and the
 * tamper-evident log like every other change.
 *
 * The detectors live on the writer thread: after each commit the writer
 * shows them the events it just committed (desk_alerts_after_commit), and
 * once a minute, idle or busy, it closes the hours nobody wrote in and
 * checks the service standards (desk_alerts_tick). Alerts they raise are written
 * in a transaction of their own, right after the commit that caused them.
 * At start the spike baseline is rebuilt from the stored negative messages
 * of the last weeks, in time order; what it would have raised then is
 * history, not news, and is not raised again. */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "insight/deviation.h"
#include "insight/spike.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define HISTORY_MS (8 * 7 * 24 * HOUR_MS)   /* spike baseline rebuilt from 8 weeks */
#define NEGATIVE_BELOW (-0.05)               /* as the metrics' negative share */
#define DEV_EVERY_MS (15 * 60000LL)
#define PENDING_MAX 32
#define NO_CATEGORY "uncategorised"

/* A service standard watched online. */
struct monitor {
    const char *metric;
    struct insight_dev *dev;
};

struct desk_alerts {
    struct insight_spikes *spikes;
    struct monitor mon[2];
    int64_t last;              /* last event shown to the detectors */
    int64_t next_tick;         /* when the tick runs next */
    int64_t next_dev;          /* when the standards are checked next */
    struct alert pending[PENDING_MAX];
    size_t npending;
};

json_t *desk_alert_json(const struct alert *a)
{
    json_t *ids = a->ticket_ids ? json_loads(a->ticket_ids, 0, NULL) : NULL;
    json_t *detail = a->detail ? json_loads(a->detail, 0, NULL) : NULL;
    return json_pack("{s:I,s:s,s:s?,s:s?,s:f,s:f,s:f,s:o,s:o,s:I,s:o,s:o}", "id",
                     (json_int_t)a->id, "kind", a->kind, "category", a->category, "metric",
                     a->metric, "size", isfinite(a->size) ? a->size : 0.0, "expected",
                     isfinite(a->expected) ? a->expected : 0.0, "observed",
                     isfinite(a->observed) ? a->observed : 0.0, "ticket_ids",
                     json_is_array(ids) ? ids : (json_decref(ids), json_array()), "detail",
                     detail ? detail : json_null(), "created_at", (json_int_t)a->created_at,
                     "acknowledged_by",
                     a->acknowledged_by ? json_integer((json_int_t)a->acknowledged_by)
                                        : json_null(),
                     "acknowledged_at",
                     a->acknowledged_at ? json_integer((json_int_t)a->acknowledged_at)
                                        : json_null());
}

/* ---- raising and acknowledging -------------------------------------------- */

int desk_alert_raise_tx(struct desk_tx *tx, struct alert *a)
{
    if (!a->kind || !*a->kind || strlen(a->kind) > 32)
        return PL_EINVAL;
    if (!a->created_at)
        a->created_at = clock_now_ms();
    int rc = tx->st->ops->alert_insert(tx->st, a);
    if (rc)
        return rc;
    struct desk_actor sys = DESK_SYSTEM;
    char *after = desk_json_text(desk_alert_json(a));
    rc = desk_event(tx, &sys, "alert.raised", 0, 0, 0, NULL, after, a->created_at);
    free(after);
    return rc;
}

static int raise_fn(struct desk_tx *tx, void *arg)
{
    return desk_alert_raise_tx(tx, arg);
}

int desk_alert_raise(struct desk *d, struct alert *a)
{
    return desk_exec(d, raise_fn, a);
}

struct ack_args {
    const struct desk_actor *who;
    int64_t id;
};

static int ack_fn(struct desk_tx *tx, void *arg)
{
    struct ack_args *a = arg;
    int64_t now = clock_now_ms();
    struct alert before = {0};
    int rc = tx->st->ops->alert_get(tx->st, a->id, &before);
    if (rc)
        return rc;
    if (before.acknowledged_at == 0) {
        rc = tx->st->ops->alert_ack(tx->st, a->id, a->who->id, now);
        char *after = desk_json_text(json_pack("{s:I,s:I}", "alert_id", (json_int_t)a->id,
                                               "acknowledged_by", (json_int_t)a->who->id));
        if (rc == 0)
            rc = desk_event(tx, a->who, "alert.acknowledged", 0, 0, 0, NULL, after, now);
        free(after);
    }
    alert_clear(&before);
    return rc;
}

int desk_alert_ack(struct desk *d, const struct desk_actor *who, int64_t id)
{
    if (who->kind != ACTOR_USER || who->role == ROLE_AGENT || who->role == ROLE_INTEGRATION)
        return PL_EFORBIDDEN;
    struct ack_args a = {who, id};
    return desk_exec(d, ack_fn, &a);
}

int desk_alert_list(struct desk *d, int open_only, int limit, struct alert **out, size_t *n)
{
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    return st->ops->alert_list(st, open_only, limit, out, n);
}

/* ---- what the detectors found ----------------------------------------------- */

static struct alert *pend(struct desk_alerts *al)
{
    if (al->npending == PENDING_MAX)
        return NULL;
    struct alert *a = &al->pending[al->npending++];
    memset(a, 0, sizeof *a);
    return a;
}

static void pend_spike(struct desk_alerts *al, const struct insight_spike_alert *s)
{
    struct alert *a = pend(al);
    if (!a)
        return;
    json_t *ids = json_array();
    for (int i = 0; i < s->nsamples; i++)
        json_array_append_new(ids, json_integer((json_int_t)s->samples[i]));
    a->kind = xstrdup("spike");
    a->category = xstrdup(s->category);
    a->metric = xstrdup("negative_messages");
    a->size = s->ratio;
    a->expected = s->expected;
    a->observed = s->observed;
    a->ticket_ids = desk_json_text(ids);
    a->detail = desk_json_text(insight_spike_alert_to_json(s));
}

static void pend_deviation(struct desk_alerts *al, const struct insight_dev_alert *v)
{
    struct alert *a = pend(al);
    if (!a)
        return;
    a->kind = xstrdup("deviation");
    a->metric = xstrdup(v->metric);
    a->observed = v->value;
    a->expected = v->limit;
    a->size = v->limit != 0 ? v->value / v->limit : 0;
    a->ticket_ids = xstrdup("[]");
    a->detail = desk_json_text(insight_dev_alert_to_json(v));
}

static void spike_results(struct desk_alerts *al, const struct insight_spike_alert *out, int n)
{
    for (int i = 0; i < n; i++)
        if (out[i].cleared_at == 0)
            pend_spike(al, &out[i]);
}

/* Writes the pending alerts in a transaction of their own (writer thread,
 * right after a commit). */
static void flush(struct desk *d, struct store *st)
{
    struct desk_alerts *al = d->alerts;
    if (al->npending == 0)
        return;
    int rc = st->ops->begin(st);
    struct desk_tx tx = {st, d};
    for (size_t i = 0; rc == 0 && i < al->npending; i++)
        rc = desk_alert_raise_tx(&tx, &al->pending[i]);
    if (rc == 0)
        rc = st->ops->commit(st);
    if (rc == 0) {
        desk_ledger_commit(d);
    } else {
        log_error("alerts: %zu alert(s) could not be stored: %s", al->npending, store_errmsg(st));
        st->ops->rollback(st);
        desk_ledger_rollback(d, 0);
    }
    for (size_t i = 0; i < al->npending; i++)
        alert_clear(&al->pending[i]);
    al->npending = 0;
}

/* A negative inbound message, counted for its category's spike detector. */
static void count_negative(struct desk_alerts *al, int64_t at, int64_t ticket_id,
                           const char *category)
{
    struct insight_spike_alert out[4];
    int n = insight_spikes_add(al->spikes, category && *category ? category : NO_CATEGORY, at,
                               ticket_id, out, 4);
    if (n > 0)
        spike_results(al, out, n);
}

/* Whether the message of an inbound event is negative, and its ticket's
 * category (caller frees). */
static bool negative(struct store *st, const struct event *e, char **category)
{
    struct message m = {0};
    bool neg = false;
    *category = NULL;
    if (st->ops->message_get(st, e->message_id, &m) == 0 && m.analysis) {
        json_t *j = json_loads(m.analysis, 0, NULL);
        json_t *v = json_object_get(j, "sentiment");
        neg = json_is_number(v) && json_number_value(v) < NEGATIVE_BELOW;
        json_decref(j);
    }
    message_clear(&m);
    if (neg) {
        struct ticket t = {0};
        if (st->ops->ticket_get(st, e->ticket_id, &t) == 0)
            *category = t.category ? xstrdup(t.category) : NULL;
        ticket_clear(&t);
    }
    return neg;
}

void desk_alerts_after_commit(struct desk *d, struct store *st)
{
    struct desk_alerts *al = d->alerts;
    if (!al)
        return;
    int64_t now = clock_now_ms();
    for (;;) {
        struct event_filter f = {.after_id = al->last, .limit = 1000};
        struct event *ev = NULL;
        size_t n = 0;
        if (st->ops->event_list(st, &f, &ev, &n) != 0) {
            log_error("alerts: cannot read the new events: %s", store_errmsg(st));
            return;
        }
        for (size_t i = 0; i < n; i++) {
            const struct event *e = &ev[i];
            al->last = e->id;
            /* Online means now: imported history is for the baseline at start. */
            if (strcmp(e->type, "message.inbound") || llabs(e->created_at - now) > HOUR_MS)
                continue;
            char *cat = NULL;
            if (negative(st, e, &cat))
                count_negative(al, e->created_at, e->ticket_id, cat);
            free(cat);
        }
        store_free_events(ev, n);
        if (n < 1000)
            break;
    }
    flush(d, st);
    /* The alerts' own events need no second look. */
    st->ops->event_last_id(st, &al->last);
}

/* ---- service standards ---------------------------------------------------------- */

static void monitors_init(struct desk_alerts *al, const struct triage_config *cfg)
{
    struct insight_dev_config c;
    insight_dev_config_default(&c);
    /* First response (p90 of the last hour) above the standard of a normal
     * ticket for an hour. */
    snprintf(c.metric, sizeof c.metric, "frt_p90_ms");
    int first = cfg->target[PRIORITY_NORMAL].first_min;
    c.standard = (first > 0 ? first : 60) * 60000.0;
    c.raise_ms = HOUR_MS;
    al->mon[0] = (struct monitor){"frt_p90_ms", insight_dev_new(&c)};
    /* First-response SLA met for fewer than 80% of the last hour's replies,
     * for an hour. */
    insight_dev_config_default(&c);
    snprintf(c.metric, sizeof c.metric, "sla_first_rate");
    c.bad = INSIGHT_DEV_BELOW;
    c.standard = 0.8;
    c.raise_ms = HOUR_MS;
    al->mon[1] = (struct monitor){"sla_first_rate", insight_dev_new(&c)};
}

static void check_standards(struct desk *d, int64_t now)
{
    struct desk_alerts *al = d->alerts;
    if (!d->metrics || now < al->next_dev)
        return;
    al->next_dev = now + DEV_EVERY_MS;
    struct insight_report r;
    desk_report(d, INSIGHT_HOUR, now - HOUR_MS, now + 1, INSIGHT_DIM_ALL, 0, &r);
    double v[2] = {r.sum.frt_n ? r.frt_p90_ms : NAN,
                   r.sum.sla_first_n ? r.sla_first_rate : NAN};
    for (int i = 0; i < 2; i++) {
        struct insight_dev_alert a;
        if (isfinite(v[i]) &&
            insight_dev_observe(al->mon[i].dev, now, v[i], &a) == INSIGHT_DEV_RAISED)
            pend_deviation(al, &a);
    }
}

int desk_alerts_tick(struct desk *d)
{
    struct desk_alerts *al = d->alerts;
    int64_t now = clock_now_ms();
    if (!al || now < al->next_tick)
        return 0;
    al->next_tick = now + DESK_ALERTS_TICK_MS;
    struct insight_spike_alert out[8];
    int n = insight_spikes_tick(al->spikes, now, out, 8);
    if (n > 0)
        spike_results(al, out, n);
    check_standards(d, now);
    flush(d, d->writer);
    d->writer->ops->event_last_id(d->writer, &al->last);
    return 1;
}

/* ---- start ------------------------------------------------------------------------ */

static int history_fn(void *ctx, int64_t at, int64_t ticket_id, const char *category)
{
    count_negative(ctx, at, ticket_id, category);
    return 0;
}

static int enable_fn(struct desk_tx *tx, void *arg)
{
    (void)arg;
    struct desk *d = tx->d;
    if (d->alerts)
        return 0;
    struct desk_alerts *al = xcalloc(1, sizeof *al);
    al->spikes = insight_spikes_new(NULL);
    monitors_init(al, &d->triage_cfg);
    int64_t now = clock_now_ms();
    int rc = tx->st->ops->negative_scan(tx->st, now - HISTORY_MS, NEGATIVE_BELOW, history_fn, al);
    /* Hours up to now are closed; what the history raised is not news. */
    struct insight_spike_alert out[8];
    insight_spikes_tick(al->spikes, now, out, 8);
    for (size_t i = 0; i < al->npending; i++)
        alert_clear(&al->pending[i]);
    al->npending = 0;
    if (rc == 0)
        rc = tx->st->ops->event_last_id(tx->st, &al->last);
    if (rc) {
        log_error("alerts: cannot rebuild the spike baseline: %s", parley_strerror(rc));
        desk_alerts_free(al);
        return rc;
    }
    d->alerts = al;
    return 0;
}

int desk_alerts_enable(struct desk *d)
{
    return desk_exec(d, enable_fn, NULL);
}

void desk_alerts_free(struct desk_alerts *al)
{
    if (!al)
        return;
    insight_spikes_free(al->spikes);
    for (int i = 0; i < 2; i++)
        insight_dev_free(al->mon[i].dev);
    for (size_t i = 0; i < al->npending; i++)
        alert_clear(&al->pending[i]);
    free(al);
}
