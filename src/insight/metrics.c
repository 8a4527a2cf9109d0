/* metrics.c — per-ticket state and per-bucket aggregate rows, updated in
 * O(1) per event. Why each definition is what it is: docs/insight.md. */
#include "insight/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "insight/metrics_internal.h"

#define DAY_MS  86400000LL
#define HOUR_MS 3600000LL

/* ---- a small open-addressing map: (a, b) → dense index ----------------- */


static uint64_t mix2(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

uint32_t insight__imap_get(const struct imap *m, uint64_t a, uint64_t b)
{
    if (!m->cap)
        return UINT32_MAX;
    size_t i = mix2(a, b) & (m->cap - 1);
    while (m->v[i] != UINT32_MAX) {
        if (m->ka[i] == a && m->kb[i] == b)
            return m->v[i];
        i = (i + 1) & (m->cap - 1);
    }
    return UINT32_MAX;
}

static void imap_grow(struct imap *m)
{
    struct imap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->n = 0;
    m->ka = xmalloc(m->cap * sizeof *m->ka);
    m->kb = xmalloc(m->cap * sizeof *m->kb);
    m->v = xmalloc(m->cap * sizeof *m->v);
    memset(m->v, 0xff, m->cap * sizeof *m->v);
    for (size_t i = 0; i < old.cap; i++)
        if (old.v[i] != UINT32_MAX)
            insight__imap_put(m, old.ka[i], old.kb[i], old.v[i]);
    free(old.ka);
    free(old.kb);
    free(old.v);
}

void insight__imap_put(struct imap *m, uint64_t a, uint64_t b, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        imap_grow(m);
    size_t i = mix2(a, b) & (m->cap - 1);
    while (m->v[i] != UINT32_MAX) {
        if (m->ka[i] == a && m->kb[i] == b) {
            m->v[i] = val;
            return;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->ka[i] = a;
    m->kb[i] = b;
    m->v[i] = val;
    m->n++;
}

void insight__imap_free(struct imap *m)
{
    free(m->ka);
    free(m->kb);
    free(m->v);
}

void insight_metrics_config_default(struct insight_metrics_config *c)
{
    memset(c, 0, sizeof *c);
    c->handle_cap_ms = 15 * 60000LL;
    c->repeat_window_ms = 7 * DAY_MS;
}

void insight_metrics_set_repeat_window(struct insight_metrics *m, int64_t ms)
{
    m->cfg.repeat_window_ms = ms > 0 ? ms : 0;
}

struct insight_metrics *insight_metrics_new(const struct insight_metrics_config *cfg)
{
    struct insight_metrics *m = xcalloc(1, sizeof *m);
    if (cfg)
        m->cfg = *cfg;
    else
        insight_metrics_config_default(&m->cfg);
    if (m->cfg.handle_cap_ms < 0)
        m->cfg.handle_cap_ms = 0;
    if (m->cfg.repeat_window_ms < 0)
        m->cfg.repeat_window_ms = 0;
    for (int p = 0; p < PRIORITY__COUNT; p++) {
        if (m->cfg.first_target_ms[p] < 0)
            m->cfg.first_target_ms[p] = 0;
        if (m->cfg.resolve_target_ms[p] < 0)
            m->cfg.resolve_target_ms[p] = 0;
    }
    m->min_day = INT64_MAX;
    m->ncats = 1;
    m->capcats = 16;
    m->cats = xcalloc(m->capcats, sizeof *m->cats);
    return m;
}

void insight_metrics_free(struct insight_metrics *m)
{
    if (!m)
        return;
    insight__imap_free(&m->tmap);
    insight__imap_free(&m->cmap);
    insight__imap_free(&m->rmap);
    free(m->t);
    free(m->c);
    free(m->r);
    for (size_t i = 0; i < m->ncats; i++)
        free(m->cats[i]);
    free(m->cats);
    free(m);
}

static int64_t floor_to(int64_t t, int64_t step)
{
    int64_t q = t / step;
    if (t % step && t < 0)
        q--;
    return q * step;
}

static int intern_category(struct insight_metrics *m, const char *name)
{
    if (!name || !*name)
        return 0;
    int id = insight_metrics_category_id(m, name);
    if (id)
        return id;
    if (m->ncats >= 65535)
        return 0;
    if (m->ncats == m->capcats) {
        m->capcats *= 2;
        m->cats = xrealloc(m->cats, m->capcats * sizeof *m->cats);
    }
    m->cats[m->ncats] = xstrdup(name);
    return (int)m->ncats++;
}

int insight_metrics_category_id(const struct insight_metrics *m, const char *name)
{
    /* Few categories (tens): a linear scan is cheaper than a hash. */
    for (size_t i = 1; name && i < m->ncats; i++)
        if (!strcmp(m->cats[i], name))
            return (int)i;
    return 0;
}

const char *insight_metrics_category_name(const struct insight_metrics *m, int id)
{
    return id > 0 && (size_t)id < m->ncats ? m->cats[id] : NULL;
}

static uint64_t key_b(enum insight_gran g, enum insight_dim d, int64_t value)
{
    return ((uint64_t)value << 8) | ((uint64_t)d << 1) | (uint64_t)g;
}

static size_t row_index(struct insight_metrics *m, const struct insight_key *k, bool create)
{
    uint32_t i = insight__imap_get(&m->rmap, (uint64_t)k->start, key_b(k->gran, k->dim, k->value));
    if (i != UINT32_MAX || !create)
        return i == UINT32_MAX ? SIZE_MAX : i;
    if (m->nr == m->capr) {
        m->capr = m->capr ? m->capr * 2 : 256;
        m->r = xrealloc(m->r, m->capr * sizeof *m->r);
    }
    memset(&m->r[m->nr], 0, sizeof m->r[m->nr]);
    m->r[m->nr].k = *k;
    insight__imap_put(&m->rmap, (uint64_t)k->start, key_b(k->gran, k->dim, k->value), (uint32_t)m->nr);
    int64_t day = floor_to(k->start, DAY_MS);
    if (m->min_day == INT64_MAX) {
        m->min_day = m->max_day = day;
    } else {
        if (day < m->min_day)
            m->min_day = day;
        if (day > m->max_day)
            m->max_day = day;
    }
    return m->nr++;
}

const struct insight_agg *insight_metrics_row(const struct insight_metrics *m,
                                               const struct insight_key *k)
{
    uint32_t i = insight__imap_get(&m->rmap, (uint64_t)k->start, key_b(k->gran, k->dim, k->value));
    return i == UINT32_MAX ? NULL : &m->r[i].a;
}

void insight_metrics_put_row(struct insight_metrics *m, const struct insight_key *k,
                             const struct insight_agg *a)
{
    size_t i = row_index(m, k, true);
    m->r[i].a = *a;
}

int insight_metrics_foreach(const struct insight_metrics *m,
                            int (*cb)(const struct insight_key *k, const struct insight_agg *a,
                                      void *ctx),
                            void *ctx)
{
    for (size_t i = 0; i < m->nr; i++) {
        int rc = cb(&m->r[i].k, &m->r[i].a, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

size_t insight_metrics_row_count(const struct insight_metrics *m)
{
    return m->nr;
}

size_t insight_metrics_ticket_count(const struct insight_metrics *m)
{
    return m->nt;
}

/* The rows a fact at time t with dims d lands in (at most 10). Indices are
 * resolved first and turned into pointers last, because creating a row
 * may move the array. */
#define MAX_ROWS 10
static int rows_at(struct insight_metrics *m, int64_t t, const struct dims *d,
                   struct insight_agg *out[MAX_ROWS])
{
    size_t idx[MAX_ROWS];
    int n = 0;
    int64_t vals[INSIGHT_DIM__COUNT] = {0, d->agent, d->category, d->channel, d->priority};
    for (int g = 0; g < INSIGHT_GRAN__COUNT; g++) {
        int64_t step = g == INSIGHT_DAY ? DAY_MS : HOUR_MS;
        for (int dim = 0; dim < INSIGHT_DIM__COUNT; dim++) {
            if (g == INSIGHT_HOUR && dim != INSIGHT_DIM_ALL && !m->cfg.hour_rows_for_all_dims)
                continue;
            struct insight_key k = {floor_to(t, step), (enum insight_gran)g,
                                    (enum insight_dim)dim, vals[dim]};
            idx[n++] = row_index(m, &k, true);
        }
    }
    for (int i = 0; i < n; i++)
        out[i] = &m->r[idx[i]].a;
    return n;
}

/* The rows of one dimension only (for moving backlog between values). */
static int dim_rows_at(struct insight_metrics *m, int64_t t, enum insight_dim dim, int64_t value,
                       struct insight_agg *out[2])
{
    size_t idx[2];
    int n = 0;
    for (int g = 0; g < INSIGHT_GRAN__COUNT; g++) {
        if (g == INSIGHT_HOUR && dim != INSIGHT_DIM_ALL && !m->cfg.hour_rows_for_all_dims)
            continue;
        int64_t step = g == INSIGHT_DAY ? DAY_MS : HOUR_MS;
        struct insight_key k = {floor_to(t, step), (enum insight_gran)g, dim, value};
        idx[n++] = row_index(m, &k, true);
    }
    for (int i = 0; i < n; i++)
        out[i] = &m->r[idx[i]].a;
    return n;
}

static struct tstate *ticket(struct insight_metrics *m, int64_t id)
{
    uint32_t i = insight__imap_get(&m->tmap, (uint64_t)id, 0);
    if (i != UINT32_MAX)
        return &m->t[i];
    if (m->nt == m->capt) {
        m->capt = m->capt ? m->capt * 2 : 256;
        m->t = xrealloc(m->t, m->capt * sizeof *m->t);
    }
    struct tstate *t = &m->t[m->nt];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->status = STATUS_NEW;
    t->d.priority = PRIORITY_NORMAL;
    insight__imap_put(&m->tmap, (uint64_t)id, 0, (uint32_t)m->nt);
    m->nt++;
    return t;
}

static struct cstate *customer(struct insight_metrics *m, int64_t id)
{
    uint32_t i = insight__imap_get(&m->cmap, (uint64_t)id, 1);
    if (i != UINT32_MAX)
        return &m->c[i];
    if (m->nc == m->capc) {
        m->capc = m->capc ? m->capc * 2 : 256;
        m->c = xrealloc(m->c, m->capc * sizeof *m->c);
    }
    memset(&m->c[m->nc], 0, sizeof m->c[m->nc]);
    insight__imap_put(&m->cmap, (uint64_t)id, 1, (uint32_t)m->nc);
    return &m->c[m->nc++];
}

/* ---- applying events --------------------------------------------------- */

static json_t *parse_obj(const char *s)
{
    if (!s)
        return NULL;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

void insight_metrics_on_fact(struct insight_metrics *m,
                             void (*fn)(void *ctx, const struct insight_fact *f), void *ctx)
{
    m->fact_fn = fn;
    m->fact_ctx = ctx;
}

/* Tells the drill-down hook about one fact counted for t at `at` under d. */
static void fact(struct insight_metrics *m, enum insight_fact_kind kind, const struct tstate *t,
                 const struct dims *d, int64_t at, double value, int label)
{
    if (!m->fact_fn)
        return;
    struct insight_fact f = {kind, t->id, at, d->agent,
                             insight_metrics_category_name(m, d->category), d->channel,
                             d->priority, value, label};
    m->fact_fn(m->fact_ctx, &f);
}

static int sla_label(int64_t due, int64_t at)
{
    return due ? at <= due : -1;
}

/* Undo a first-contact resolution counted earlier (reopen, repeat contact). */
static void uncount_fcr(struct insight_metrics *m, struct tstate *t)
{
    if (!(t->flags & F_FCR))
        return;
    t->flags &= (uint8_t)~F_FCR;
    fact(m, INSIGHT_FACT_FCR_WITHDRAWN, t, &t->fcr_d, t->first_resolved_at, 0, 0);
    struct insight_agg *rows[MAX_ROWS];
    int n = rows_at(m, t->first_resolved_at, &t->fcr_d, rows);
    for (int i = 0; i < n; i++)
        rows[i]->fcr--;
}

static int64_t due_or_target(int64_t due, int64_t created, int64_t target)
{
    if (due)
        return due;
    return target > 0 && created ? created + target : 0;
}

static void credit_handling(struct insight_metrics *m, struct tstate *t, int64_t at)
{
    if (t->last_activity && at > t->last_activity) {
        int64_t d = at - t->last_activity;
        t->handle_ms += d < m->cfg.handle_cap_ms ? d : m->cfg.handle_cap_ms;
    }
}

static void on_resolve(struct insight_metrics *m, struct tstate *t, int64_t at,
                       struct insight_agg **rows, int n)
{
    bool first = !(t->flags & F_RESOLVED_ONCE);
    bool known = t->flags & F_KNOWN_START;
    int64_t ttr = at - t->created_at;
    int64_t rdue = due_or_target(t->sla_resolve_due, t->created_at,
                                 m->cfg.resolve_target_ms[t->d.priority]);
    bool fcr = t->replies <= 1;
    for (int i = 0; i < n; i++) {
        struct insight_agg *a = rows[i];
        a->resolved++;
        a->backlog_delta--;
        a->aht_n++;
        a->aht_sum += t->handle_ms;
        insight_hist_add(&a->aht, t->handle_ms);
        if (!first)
            continue;
        a->first_resolved++;
        if (fcr)
            a->fcr++;
        if (known && ttr >= 0) {
            a->ttr_n++;
            a->ttr_sum += ttr;
            insight_hist_add(&a->ttr, ttr);
        }
        if (rdue) {
            a->sla_res_n++;
            a->sla_res_met += at <= rdue;
        }
    }
    fact(m, INSIGHT_FACT_RESOLUTION, t, &t->d, at, (double)t->handle_ms, 0);
    t->handle_ms = 0;
    if (first) {
        t->flags |= F_RESOLVED_ONCE;
        t->first_resolved_at = at;
        fact(m, INSIGHT_FACT_FIRST_RESOLUTION, t, &t->d, at, known && ttr >= 0 ? (double)ttr : -1,
             sla_label(rdue, at));
        if (fcr) {
            t->flags |= F_FCR;
            t->fcr_d = t->d;
            fact(m, INSIGHT_FACT_FCR, t, &t->d, at, 0, 0);
        }
    }
    if (t->customer_id) {
        struct cstate *c = customer(m, t->customer_id);
        c->last_ticket = t->id;
        c->last_resolved_at = at;
    }
}

static void move_dim(struct insight_metrics *m, struct tstate *t, int64_t at, enum insight_dim dim,
                     int64_t from, int64_t to)
{
    if (from == to || !status_is_open((enum ticket_status)t->status))
        return;
    struct insight_agg *r[2];
    int n = dim_rows_at(m, at, dim, from, r);
    for (int i = 0; i < n; i++)
        r[i]->backlog_delta--;
    n = dim_rows_at(m, at, dim, to, r);
    for (int i = 0; i < n; i++)
        r[i]->backlog_delta++;
}

/* Sentiment/emotion from a message's after JSON: either top level or under
 * "analysis" (the text engine's output). */
static void add_analysis(struct insight_metrics *m, const struct tstate *t, int64_t at,
                         const json_t *after, struct insight_agg **rows, int n)
{
    const json_t *an = json_object_get(after, "analysis");
    json_t *parsed = NULL;
    if (json_is_string(an)) /* analysis stored as JSON text */
        an = parsed = json_loads(json_string_value(an), 0, NULL);
    if (!json_is_object(an))
        an = after;
    const json_t *s = json_object_get(an, "sentiment");
    if (json_is_object(s)) /* {"polarity": x} form */
        s = json_object_get(s, "polarity");
    /* "emotion": "anger" | {"label": "anger"} | {"anger": 0.8, "joy": 0.1, ...}
     * (a score vector: the strongest known emotion counts). */
    const char *emo = jstr(an, "emotion");
    const json_t *eo = json_object_get(an, "emotion");
    if (!emo && json_is_object(eo)) {
        emo = jstr(eo, "label");
        double best = 0.0;
        const char *k;
        const json_t *v;
        enum insight_emotion tmp;
        json_object_foreach((json_t *)eo, k, v) {
            if (!jstr(eo, "label") && json_is_number(v) && json_number_value(v) > best &&
                !insight_emotion_parse(k, &tmp)) {
                best = json_number_value(v);
                emo = k;
            }
        }
    }
    enum insight_emotion e;
    bool has_e = emo && !insight_emotion_parse(emo, &e);
    bool has_s = json_is_number(s);
    double v = has_s ? json_number_value(s) : 0.0;
    json_decref(parsed); /* s and emo are not used past this point */
    if (!has_s && !has_e)
        return;
    if (!(v >= -1.0 && v <= 1.0))
        v = v > 1.0 ? 1.0 : -1.0;
    if ((has_s && v < -0.05) || (has_e && e != INSIGHT_EMO_NEUTRAL))
        fact(m, INSIGHT_FACT_MOOD, t, &t->d, at, has_s ? v : NAN, has_e ? (int)e : -1);
    for (int i = 0; i < n; i++) {
        if (has_s) {
            rows[i]->sent_n++;
            rows[i]->sent_sum += v;
            rows[i]->sent_neg += v < -0.05;
        }
        if (has_e)
            rows[i]->emo[e]++;
    }
}

/* The ticket, message and survey events that move a number below. */
static bool applies(const char *ty)
{
    static const char *const types[] = {
        "message.analyzed", "message.inbound", "message.note",    "message.reply",
        "survey.answered",  "ticket.assignee", "ticket.category", "ticket.created",
        "ticket.escalated", "ticket.priority", "ticket.repeat",   "ticket.sla",
        "ticket.status"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(ty, types[i]))
            return true;
    return false;
}

int insight_metrics_apply(struct insight_metrics *m, const struct event *ev)
{
    if (!m || !ev || !ev->type || ev->created_at < -INSIGHT_MAX_ABS_MS ||
        ev->created_at > INSIGHT_MAX_ABS_MS)
        return PL_EINVAL;
    const char *ty = ev->type;
    int64_t at = ev->created_at;
    if (!strcmp(ty, "customer.created"))
        return 0;
    if (strncmp(ty, "ticket.", 7) && strncmp(ty, "message.", 8) && strcmp(ty, "survey.answered"))
        return 0;
    if (ev->ticket_id <= 0)
        return PL_EINVAL;
    if (!applies(ty)) {          /* e.g. ticket.triaged: 1.5 KB nobody reads */
        ticket(m, ev->ticket_id);
        return 0;
    }
    json_t *after = parse_obj(ev->after), *before = parse_obj(ev->before);
    if ((ev->after && !after) || (ev->before && !before)) {
        json_decref(after);
        json_decref(before);
        return PL_EPARSE;
    }
    int rc = 0;
    struct tstate *t = ticket(m, ev->ticket_id);
    struct insight_agg *rows[MAX_ROWS];
    int n;

    if (!strcmp(ty, "ticket.created")) {
        if (t->flags & F_KNOWN_START)
            goto out; /* duplicate */
        t->flags |= F_KNOWN_START;
        t->created_at = at;
        t->customer_id = ev->customer_id;
        t->last_activity = at;
        enum channel ch;
        enum priority p;
        if (jstr(after, "channel") && !channel_parse(jstr(after, "channel"), &ch))
            t->d.channel = ch;
        if (jstr(after, "priority") && !priority_parse(jstr(after, "priority"), &p))
            t->d.priority = p;
        t->d.category = intern_category(m, jstr(after, "category"));
        t->status = STATUS_NEW;
        bool repeat = false;
        if (t->customer_id) {
            struct cstate *c = customer(m, t->customer_id);
            if (c->last_ticket && c->last_ticket != t->id &&
                at - c->last_resolved_at <= m->cfg.repeat_window_ms) {
                repeat = true;
                t->flags |= F_REPEAT;
                uint32_t pi = insight__imap_get(&m->tmap, (uint64_t)c->last_ticket, 0);
                if (pi != UINT32_MAX)
                    uncount_fcr(m, &m->t[pi]);
            }
        }
        n = rows_at(m, at, &t->d, rows);
        for (int i = 0; i < n; i++) {
            rows[i]->created++;
            rows[i]->backlog_delta++;
            rows[i]->repeat_contacts += repeat;
        }
        fact(m, INSIGHT_FACT_CREATED, t, &t->d, at, 0, repeat);
    } else if (!strcmp(ty, "message.inbound") || !strcmp(ty, "message.analyzed")) {
        n = rows_at(m, at, &t->d, rows);
        if (ty[8] == 'i') {
            for (int i = 0; i < n; i++)
                rows[i]->inbound++;
            t->last_activity = at;
        }
        if (after)
            add_analysis(m, t, at, after, rows, n);
    } else if (!strcmp(ty, "message.reply") || !strcmp(ty, "message.note")) {
        bool reply = ty[8] == 'r';
        /* The survey invitation sent on resolution is not part of the
         * conversation: no reply, no activity. */
        if (reply && json_is_true(json_object_get(after, "survey")))
            goto out;
        /* A reply written by the system (auto-acknowledgement) is counted as
         * a reply but is not a response, and is nobody's handling time. */
        bool human = ev->actor_kind != ACTOR_SYSTEM;
        if (human)
            credit_handling(m, t, at);
        t->last_activity = at;
        n = rows_at(m, at, &t->d, rows);
        for (int i = 0; i < n; i++) {
            if (reply)
                rows[i]->replies++;
            else
                rows[i]->notes++;
        }
        if (reply && human && !(t->flags & F_RESOLVED_ONCE) && t->replies < 255)
            t->replies++;
        if (reply && human && !t->first_reply_at) {
            t->first_reply_at = at;
            if (t->flags & F_KNOWN_START) {
                int64_t frt = at - t->created_at;
                int64_t due = due_or_target(t->sla_first_due, t->created_at,
                                            m->cfg.first_target_ms[t->d.priority]);
                for (int i = 0; i < n; i++) {
                    rows[i]->frt_n++;
                    rows[i]->frt_sum += frt;
                    insight_hist_add(&rows[i]->frt, frt);
                    if (due) {
                        rows[i]->sla_first_n++;
                        rows[i]->sla_first_met += at <= due;
                    }
                }
                fact(m, INSIGHT_FACT_FIRST_REPLY, t, &t->d, at, (double)frt, sla_label(due, at));
            }
        }
    } else if (!strcmp(ty, "ticket.status")) {
        enum ticket_status to, from = (enum ticket_status)t->status;
        if (!jstr(after, "status") || status_parse(jstr(after, "status"), &to)) {
            rc = PL_EINVAL;
            goto out;
        }
        if (jstr(before, "status"))
            (void)status_parse(jstr(before, "status"), &from);
        /* A status change is not handling work: no credit, but it does
         * restart the clock for the next agent action. */
        t->last_activity = at;
        t->status = (uint8_t)to;
        if (status_is_open(from) && !status_is_open(to)) {
            n = rows_at(m, at, &t->d, rows);
            on_resolve(m, t, at, rows, n);
        } else if (!status_is_open(from) && status_is_open(to)) {
            uncount_fcr(m, t);
            n = rows_at(m, at, &t->d, rows);
            for (int i = 0; i < n; i++) {
                rows[i]->reopened++;
                rows[i]->backlog_delta++;
            }
            fact(m, INSIGHT_FACT_REOPEN, t, &t->d, at, 0, 0);
        }
    } else if (!strcmp(ty, "ticket.priority")) {
        enum priority p;
        if (!jstr(after, "priority") || priority_parse(jstr(after, "priority"), &p)) {
            rc = PL_EINVAL;
            goto out;
        }
        move_dim(m, t, at, INSIGHT_DIM_PRIORITY, t->d.priority, p);
        t->d.priority = (int)p;
    } else if (!strcmp(ty, "ticket.assignee")) {
        const json_t *a = json_object_get(after, "assignee_id");
        if (!(json_is_integer(a) || json_is_null(a)) || json_integer_value(a) < 0) {
            rc = PL_EINVAL;
            goto out;
        }
        int64_t id = json_is_integer(a) ? (int64_t)json_integer_value(a) : 0;
        move_dim(m, t, at, INSIGHT_DIM_AGENT, t->d.agent, id);
        t->d.agent = id;
    } else if (!strcmp(ty, "ticket.category")) {
        const json_t *c = json_object_get(after, "category");
        if (!after || !(json_is_string(c) || json_is_null(c) || !c)) {
            rc = PL_EINVAL;
            goto out;
        }
        int id = intern_category(m, json_string_value(c));
        move_dim(m, t, at, INSIGHT_DIM_CATEGORY, t->d.category, id);
        t->d.category = id;
    } else if (!strcmp(ty, "ticket.repeat")) {
        /* The desk's link to the earlier ticket of the same issue: that
         * one was not resolved at first contact, this one is a repeat
         * contact (idempotent: the customer rule at ticket.created, with
         * the same window, usually counted both already). */
        const json_t *of = json_object_get(after, "repeat_of");
        if (!json_is_integer(of) || json_integer_value(of) <= 0) {
            rc = PL_EINVAL;
            goto out;
        }
        uint32_t pi = insight__imap_get(&m->tmap, (uint64_t)json_integer_value(of), 0);
        if (pi != UINT32_MAX)
            uncount_fcr(m, &m->t[pi]);
        if (!(t->flags & F_REPEAT)) {
            t->flags |= F_REPEAT;
            n = rows_at(m, at, &t->d, rows);
            for (int i = 0; i < n; i++)
                rows[i]->repeat_contacts++;
        }
    } else if (!strcmp(ty, "ticket.escalated")) {
        if (!(t->flags & F_ESCALATED)) {
            t->flags |= F_ESCALATED;
            n = rows_at(m, at, &t->d, rows);
            for (int i = 0; i < n; i++)
                rows[i]->escalated++;
            fact(m, INSIGHT_FACT_ESCALATED, t, &t->d, at, 0, 0);
        }
    } else if (!strcmp(ty, "ticket.sla")) {
        const json_t *f = json_object_get(after, "sla_first_due"),
                     *r = json_object_get(after, "sla_resolve_due");
        if ((f && !json_is_integer(f)) || (r && !json_is_integer(r))) {
            rc = PL_EINVAL;
            goto out;
        }
        if (f)
            t->sla_first_due = (int64_t)json_integer_value(f);
        if (r)
            t->sla_resolve_due = (int64_t)json_integer_value(r);
    } else if (!strcmp(ty, "survey.answered")) {
        const json_t *s = json_object_get(after, "score"), *p = json_object_get(after, "nps");
        json_int_t sv = json_integer_value(s), pv = json_integer_value(p);
        if ((!s && !p) || (s && (!json_is_integer(s) || sv < 1 || sv > 5)) ||
            (p && (!json_is_integer(p) || pv < 0 || pv > 10))) {
            rc = PL_EINVAL;
            goto out;
        }
        n = rows_at(m, at, &t->d, rows);
        for (int i = 0; i < n; i++) {
            if (s) {
                rows[i]->csat_n++;
                rows[i]->csat_sum += sv;
                rows[i]->csat_sat += sv >= 4;
                rows[i]->csat_score[sv - 1]++;
            }
            if (p) {
                rows[i]->nps_n++;
                rows[i]->nps_prom += pv >= 9;
                rows[i]->nps_det += pv <= 6;
            }
        }
        fact(m, INSIGHT_FACT_SURVEY, t, &t->d, at, s ? (double)sv : 0, p ? (int)pv : -1);
    }
out:
    json_decref(after);
    json_decref(before);
    return rc;
}

/* ---- queries ------------------------------------------------------------ */

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

void insight_metrics_query(const struct insight_metrics *m, enum insight_gran gran, int64_t from,
                           int64_t to, enum insight_dim dim, int64_t value,
                           struct insight_report *out)
{
    insight_metrics_query_set(m, gran, from, to, dim, &value, 1, out);
}

void insight_metrics_query_set(const struct insight_metrics *m, enum insight_gran gran,
                               int64_t from, int64_t to, enum insight_dim dim,
                               const int64_t *values, size_t nvalues, struct insight_report *out)
{
    memset(out, 0, sizeof *out);
    int64_t step = gran == INSIGHT_HOUR ? HOUR_MS : DAY_MS;
    if (gran != INSIGHT_HOUR)
        gran = INSIGHT_DAY;
    from = floor_to(from, step);
    to = floor_to(to, step);
    out->from = from;
    out->to = to;
    out->dim = dim;
    out->value = nvalues == 1 ? values[0] : 0;
    struct insight_agg *s = &out->sum;
    /* Only buckets that can hold rows are visited, so a period of any
     * length (even one a caller got wrong by centuries) costs at most the
     * span of the data. */
    int64_t lo = from > m->min_day ? from : m->min_day;
    int64_t hi = m->min_day == INT64_MAX ? lo : to < m->max_day + DAY_MS ? to : m->max_day + DAY_MS;
    /* No rows at all: lo = hi = INT64_MAX, and no backlog to sum either. */
    int64_t day_to = m->min_day == INT64_MAX ? hi : floor_to(hi, DAY_MS);
    for (size_t v = 0; v < nvalues; v++) {
        for (int64_t b = lo; b < hi; b += step) {
            struct insight_key k = {b, gran, dim, values[v]};
            const struct insight_agg *a = insight_metrics_row(m, &k);
            if (a)
                insight_agg_merge(s, a);
        }
        /* Backlog at `to`: all deltas before it — whole days, then the
         * hours of the last partial day when hour rows exist for this
         * dimension. */
        for (int64_t b = m->min_day; b < day_to; b += DAY_MS) {
            struct insight_key k = {b, INSIGHT_DAY, dim, values[v]};
            const struct insight_agg *a = insight_metrics_row(m, &k);
            if (a)
                out->backlog_end += a->backlog_delta;
        }
        for (int64_t b = day_to; b < hi; b += HOUR_MS) {
            struct insight_key k = {b, INSIGHT_HOUR, dim, values[v]};
            const struct insight_agg *a = insight_metrics_row(m, &k);
            if (a)
                out->backlog_end += a->backlog_delta;
        }
    }
    out->frt_mean_ms = ratio(s->frt_sum, s->frt_n);
    out->frt_p50_ms = insight_hist_quantile(&s->frt, 0.5);
    out->frt_p90_ms = insight_hist_quantile(&s->frt, 0.9);
    out->ttr_mean_ms = ratio(s->ttr_sum, s->ttr_n);
    out->ttr_p50_ms = insight_hist_quantile(&s->ttr, 0.5);
    out->ttr_p90_ms = insight_hist_quantile(&s->ttr, 0.9);
    out->aht_mean_ms = ratio(s->aht_sum, s->aht_n);
    out->aht_p50_ms = insight_hist_quantile(&s->aht, 0.5);
    out->fcr_rate = ratio(s->fcr, s->first_resolved);
    out->reopen_rate = ratio(s->reopened, s->resolved);
    out->escalation_rate = ratio(s->escalated, s->created);
    out->sla_first_rate = ratio(s->sla_first_met, s->sla_first_n);
    out->sla_resolve_rate = ratio(s->sla_res_met, s->sla_res_n);
    out->csat_mean = ratio(s->csat_sum, s->csat_n);
    out->csat_sat_share = ratio(s->csat_sat, s->csat_n);
    out->nps = s->nps_n ? 100.0 * (double)(s->nps_prom - s->nps_det) / (double)s->nps_n : NAN;
    out->sentiment_mean = s->sent_n ? s->sent_sum / (double)s->sent_n : NAN;
    out->negative_share = ratio(s->sent_neg, s->sent_n);
    int64_t emo_total = 0;
    for (int i = 0; i < INSIGHT_EMO__COUNT; i++)
        emo_total += s->emo[i];
    for (int i = 0; i < INSIGHT_EMO__COUNT; i++)
        out->emo_share[i] = ratio(s->emo[i], emo_total);
}

void insight_metrics_series(const struct insight_metrics *m, enum insight_gran gran, int64_t from,
                            int64_t to, int n, enum insight_dim dim, int64_t value,
                            struct insight_report *out, double *ttr_slope)
{
    if (n < 1 || n > 1000 || to <= from) {
        if (ttr_slope)
            *ttr_slope = 0.0;
        return;
    }
    double x[1000], y[1000];
    int64_t len = (to - from) / n;
    for (int i = 0; i < n; i++) {
        int64_t a = from + len * i, b = i == n - 1 ? to : a + len;
        insight_metrics_query(m, gran, a, b, dim, value, &out[i]);
        x[i] = i;
        y[i] = out[i].ttr_mean_ms;
    }
    if (ttr_slope)
        *ttr_slope = insight_slope(x, y, (size_t)n, NULL);
}

static void csv_num(struct buf *b, double v, double scale)
{
    buf_putc(b, ',');
    if (isfinite(v))
        buf_printf(b, "%.6g", v / scale);
}

void insight_report_csv(const struct insight_report *r, bool header, struct buf *out)
{
    if (header)
        buf_puts(out, "from,to,dim,value,created,resolved,reopened,escalated,inbound,replies,"
                      "frt_mean_min,frt_p50_min,frt_p90_min,ttr_mean_min,ttr_p50_min,"
                      "ttr_p90_min,aht_mean_min,fcr_rate,reopen_rate,escalation_rate,"
                      "sla_first_rate,sla_resolve_rate,csat_mean,csat_satisfied_share,nps,"
                      "sentiment_mean,negative_share,backlog_end\r\n");
    char from[CLOCK_ISO_LEN], to[CLOCK_ISO_LEN];
    clock_format(r->from, from);
    clock_format(r->to, to);
    const struct insight_agg *s = &r->sum;
    buf_printf(out, "%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld", from, to,
               insight_dim_name(r->dim), (long long)r->value, (long long)s->created,
               (long long)s->resolved, (long long)s->reopened, (long long)s->escalated,
               (long long)s->inbound, (long long)s->replies);
    const double mins[] = {r->frt_mean_ms, r->frt_p50_ms, r->frt_p90_ms, r->ttr_mean_ms,
                           r->ttr_p50_ms,  r->ttr_p90_ms, r->aht_mean_ms};
    for (size_t i = 0; i < sizeof mins / sizeof *mins; i++)
        csv_num(out, mins[i], 60000.0);
    const double plain[] = {r->fcr_rate,       r->reopen_rate,      r->escalation_rate,
                            r->sla_first_rate, r->sla_resolve_rate, r->csat_mean,
                            r->csat_sat_share, r->nps,              r->sentiment_mean,
                            r->negative_share};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        csv_num(out, plain[i], 1.0);
    buf_printf(out, ",%lld\r\n", (long long)r->backlog_end);
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *insight_report_to_json(const struct insight_report *r)
{
    const struct insight_agg *s = &r->sum;
    json_t *emo = json_object();
    for (int i = 0; i < INSIGHT_EMO__COUNT; i++)
        json_object_set_new(emo, insight_emotion_name((enum insight_emotion)i), num(r->emo_share[i]));
    return json_pack(
        "{s:I,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
        "s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}",
        "from", (json_int_t)r->from, "to", (json_int_t)r->to, "dim", insight_dim_name(r->dim),
        "value", (json_int_t)r->value, "created", (json_int_t)s->created, "resolved",
        (json_int_t)s->resolved, "inbound", (json_int_t)s->inbound, "replies",
        (json_int_t)s->replies, "reopened", (json_int_t)s->reopened, "escalated",
        (json_int_t)s->escalated, "frt_mean_ms", num(r->frt_mean_ms), "frt_p50_ms",
        num(r->frt_p50_ms), "frt_p90_ms", num(r->frt_p90_ms), "ttr_mean_ms", num(r->ttr_mean_ms),
        "ttr_p50_ms", num(r->ttr_p50_ms), "ttr_p90_ms", num(r->ttr_p90_ms), "aht_mean_ms",
        num(r->aht_mean_ms), "fcr_rate", num(r->fcr_rate), "reopen_rate", num(r->reopen_rate),
        "escalation_rate", num(r->escalation_rate), "sla_first_rate", num(r->sla_first_rate),
        "sla_resolve_rate", num(r->sla_resolve_rate), "csat_mean", num(r->csat_mean),
        "csat_satisfied_share", num(r->csat_sat_share), "nps", num(r->nps), "sentiment_mean",
        num(r->sentiment_mean), "negative_share", num(r->negative_share), "emotion_mix", emo,
        "repeat_contacts", json_integer((json_int_t)s->repeat_contacts), "backlog_end",
        (json_int_t)r->backlog_end);
}
