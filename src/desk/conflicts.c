/* conflicts.c — the desk's in-memory index of conflict tickets, their
 * resolution facts and the orders (insight/conflicts.h), which answers
 * the ROI's conflict customers and conflict handling time of a period
 * without a scan of the database.
 *
 * Built with the live metrics (desk_metrics_enable) by one scan, as of the
 * last event then; after each commit the writer brings it up to date from
 * the events that commit added (later ones only): a ticket's emotion and
 * escalation change only with ticket.triaged and ticket.escalated, and it
 * is read back, with its facts, to learn whether it is now a conflict
 * ticket; customer.merged moves tickets to another customer; order.created
 * adds an order. Resolution facts join it as their transaction commits
 * (desk_conflicts_facts), as they join metric_facts. Guarded by the
 * metrics lock. Should a read fail, the index is dropped and the ROI asks
 * the store again: slower, never wrong. */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "insight/conflicts.h"
#include "insight/metrics.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KIND INSIGHT_FACT_RESOLUTION

/* The store's CONFLICT_TICKET, on a ticket in memory. */
static bool is_conflict(const struct ticket *t)
{
    return t->escalated ||
           (t->emotion && (!strcmp(t->emotion, "anger") || !strcmp(t->emotion, "frustration")));
}

/* Facts read from the store: ticket id, at, value. */
struct facts {
    struct insight_conflict_fact *f;
    int64_t *ticket;
    size_t n, cap;
};

static void facts_add(struct facts *fs, int64_t ticket, int64_t at, int64_t v)
{
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 16;
        fs->f = xrealloc(fs->f, fs->cap * sizeof *fs->f);
        fs->ticket = xrealloc(fs->ticket, fs->cap * sizeof *fs->ticket);
    }
    fs->f[fs->n] = (struct insight_conflict_fact){at, v};
    fs->ticket[fs->n++] = ticket;
}

static void facts_free(struct facts *fs)
{
    free(fs->f);
    free(fs->ticket);
}

struct load {
    struct insight_conflicts *c;
    struct facts facts;      /* until the tickets are sorted */
};

static int load_row(void *ctx, int what, int64_t id, int64_t at, int64_t v)
{
    struct load *l = ctx;
    if (what == 0)
        insight_conflicts_load(l->c, id, at, v);
    else if (what == 1)
        insight_conflicts_order(l->c, v, at);
    else
        facts_add(&l->facts, id, at, v);
    return 0;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int desk_conflicts_build(struct desk *d, struct store *st)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t as_of = 0;
    struct load l = {insight_conflicts_new(), {0}};
    int rc = st->ops->event_last_id(st, &as_of);
    if (rc == 0)
        rc = st->ops->conflict_scan(st, KIND, load_row, &l);
    if (rc) {
        insight_conflicts_free(l.c);
        facts_free(&l.facts);
        return rc;
    }
    insight_conflicts_sort(l.c);
    for (size_t i = 0; i < l.facts.n; i++)
        insight_conflicts_fact(l.c, l.facts.ticket[i], l.facts.f[i].at, l.facts.f[i].value);
    facts_free(&l.facts);
    pthread_rwlock_wrlock(&d->metrics_lock);
    insight_conflicts_free(d->conflicts);
    d->conflicts = l.c;
    d->conflicts_as_of = as_of;
    pthread_rwlock_unlock(&d->metrics_lock);
    log_info("metrics: conflict index as of event %lld read in %.0f ms", (long long)as_of,
             ms_since(&t0));
    return 0;
}

void desk_conflicts_drop(struct desk *d)
{
    pthread_rwlock_wrlock(&d->metrics_lock);
    insight_conflicts_free(d->conflicts);
    d->conflicts = NULL;
    pthread_rwlock_unlock(&d->metrics_lock);
}

/* One change read from an event, applied under the lock. */
struct change {
    enum { CH_TICKET, CH_MOVE, CH_ORDER } kind;
    int64_t a, b, c;    /* ticket: id, created_at, customer; move: from, into; order: customer, at */
    bool conflict;
    size_t f0, nf;      /* a ticket's facts in the batch's facts */
};

static int64_t payload_int(const char *json, const char *key)
{
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    int64_t v = json_integer_value(json_object_get(j, key));
    json_decref(j);
    return v;
}

static int fact_row(void *ctx, int what, int64_t id, int64_t at, int64_t v)
{
    (void)what;
    facts_add(ctx, id, at, v);
    return 0;
}

/* The change event e makes, if any, in *out (a conflict ticket's facts
 * appended to fs); 1 when there is one, 0 when none, < 0 when the store
 * could not be read. */
static int change_of(struct store *st, const struct event *e, int64_t last_ticket,
                     struct facts *fs, struct change *out)
{
    const char *ty = e->type;
    if (e->ticket_id && e->ticket_id != last_ticket &&
        (!strcmp(ty, "ticket.triaged") || !strcmp(ty, "ticket.escalated"))) {
        struct ticket t;
        int rc = st->ops->ticket_get(st, e->ticket_id, &t);
        if (rc)
            return rc;
        *out = (struct change){CH_TICKET, t.id, t.created_at, t.customer_id, is_conflict(&t),
                               fs->n, 0};
        ticket_clear(&t);
        if (out->conflict && (rc = st->ops->ticket_facts(st, KIND, out->a, fact_row, fs)))
            return rc;
        out->nf = fs->n - out->f0;
        return 1;
    }
    if (!strcmp(ty, "customer.merged")) {
        *out = (struct change){CH_MOVE, payload_int(e->after, "from"),
                               payload_int(e->after, "into"), 0, false, 0, 0};
        return 1;
    }
    if (!strcmp(ty, "order.created")) {
        *out = (struct change){CH_ORDER, payload_int(e->after, "customer_id"),
                               payload_int(e->after, "ordered_at"), 0, false, 0, 0};
        return 1;
    }
    return 0;
}

static void apply(struct insight_conflicts *c, const struct change *ch, const struct facts *fs)
{
    switch (ch->kind) {
    case CH_TICKET:
        insight_conflicts_ticket(c, ch->a, ch->b, ch->c, ch->conflict, fs->f + ch->f0, ch->nf);
        break;
    case CH_MOVE:
        insight_conflicts_move(c, ch->a, ch->b);
        break;
    case CH_ORDER:
        insight_conflicts_order(c, ch->a, ch->b);
        break;
    }
}

void desk_conflicts_feed(struct desk *d, struct store *st, const struct event *ev, size_t n)
{
    if (!d->conflicts || n == 0)
        return;
    struct change *ch = xmalloc(n * sizeof *ch);
    struct facts fs = {0};
    size_t k = 0;
    int64_t last_ticket = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        if (ev[i].id <= d->conflicts_as_of)
            continue;
        if ((rc = change_of(st, &ev[i], last_ticket, &fs, &ch[k])) == 1) {
            if (ch[k].kind == CH_TICKET)
                last_ticket = ch[k].a;
            k++;
        }
    }
    if (rc < 0) {
        log_error("metrics: the conflict index could not read a ticket (%s); the ROI reads "
                  "the store", parley_strerror(rc));
        desk_conflicts_drop(d);
    } else {
        pthread_rwlock_wrlock(&d->metrics_lock);
        for (size_t i = 0; i < k; i++)
            apply(d->conflicts, &ch[i], &fs);
        d->conflicts_as_of = ev[n - 1].id;
        pthread_rwlock_unlock(&d->metrics_lock);
    }
    facts_free(&fs);
    free(ch);
}

void desk_conflicts_facts(struct desk *d, const struct metric_fact *f, size_t n)
{
    if (!d->conflicts)
        return;
    pthread_rwlock_wrlock(&d->metrics_lock);
    for (size_t i = 0; i < n; i++)
        if (f[i].kind == KIND && f[i].value == f[i].value)   /* NaN is stored as NULL */
            insight_conflicts_fact(d->conflicts, f[i].ticket_id, f[i].at, (int64_t)f[i].value);
    pthread_rwlock_unlock(&d->metrics_lock);
}

int desk_conflicts_count(struct desk *d, const struct insight_conflicts_query *q,
                         struct insight_conflicts_count *out)
{
    if (!d->metrics)
        return PL_EUNAVAIL;
    pthread_rwlock_rdlock(&d->metrics_lock);
    int rc = d->conflicts ? 0 : PL_EUNAVAIL;
    if (rc == 0)
        insight_conflicts_count(d->conflicts, q, out);
    pthread_rwlock_unlock(&d->metrics_lock);
    return rc;
}
