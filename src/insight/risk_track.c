/* risk_track.c — per-ticket and per-customer feature state fed by events,
 * training samples drawn from it, and the fit/evaluate step of
 * `parley train-risk`. See risk_track.h for what a sample is. */
#include "insight/risk_track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "insight/metrics_internal.h"

#define HOUR_MS 3600000.0
#define DAY_MS 86400000LL
#define RING 8                 /* recent ticket starts kept per customer */
#define NEGATIVE 0.3           /* negativity above which a message is negative */

enum { T_ESCALATED = 1, T_CAND = 2, T_BAD_LAST = 4 };

struct tsample {
    struct insight_ticket_features f;
    int64_t at;
};

struct rt_ticket {
    int64_t id, customer_id, created_at, last_inbound_at, last_reply_at, first_reply_at;
    int64_t escalated_at;
    float anger_max, neg_first, neg_last, neg_max;
    uint16_t cues, reopen, inbound, replies, repeat;
    uint8_t priority, channel, status, flags;
    int8_t csat;               /* 0 = no survey */
    uint32_t seen;             /* candidate samples offered to the reservoir */
};

struct csample {
    struct insight_customer_features f;
    int64_t at, next_contact, cancel_at;
    bool bad, valid;
    uint32_t seen;
};

struct rt_customer {
    int64_t id, first_at, last_contact;
    int64_t recent[RING];      /* ticket starts, newest at recent[n % RING] */
    uint32_t nrecent, msgs, neg_msgs, open, csat_n, low_csat, escalations;
    uint32_t csat_sum;
    uint8_t tier;
};

struct insight_risk_track {
    bool collect;
    struct imap tmap, cmap;
    struct rt_ticket *t;
    size_t nt, capt;
    struct rt_customer *c;
    size_t nc, capc;
    struct tsample *kept;         /* per ticket, parallel to t (collect only) */
    struct csample *cs;           /* per customer, parallel to c (collect only) */
};

struct insight_risk_track *insight_risk_track_new(bool collect)
{
    struct insight_risk_track *tr = xcalloc(1, sizeof *tr);
    tr->collect = collect;
    return tr;
}

void insight_risk_track_free(struct insight_risk_track *tr)
{
    if (!tr)
        return;
    insight__imap_free(&tr->tmap);
    insight__imap_free(&tr->cmap);
    free(tr->t);
    free(tr->c);
    free(tr->kept);
    free(tr->cs);
    free(tr);
}

/* ---- state lookup ----------------------------------------------------------- */

static struct rt_ticket *find_ticket(const struct insight_risk_track *tr, int64_t id)
{
    uint32_t i = insight__imap_get(&tr->tmap, (uint64_t)id, 0);
    return i == UINT32_MAX ? NULL : &tr->t[i];
}

static struct rt_customer *find_customer(const struct insight_risk_track *tr, int64_t id)
{
    uint32_t i = insight__imap_get(&tr->cmap, (uint64_t)id, 1);
    return i == UINT32_MAX ? NULL : &tr->c[i];
}

static struct rt_ticket *get_ticket(struct insight_risk_track *tr, int64_t id)
{
    struct rt_ticket *t = find_ticket(tr, id);
    if (t)
        return t;
    if (tr->nt == tr->capt) {
        tr->capt = tr->capt ? tr->capt * 2 : 1024;
        tr->t = xrealloc(tr->t, tr->capt * sizeof *tr->t);
        if (tr->collect) {
            tr->kept = xrealloc(tr->kept, tr->capt * sizeof *tr->kept);
        }
    }
    insight__imap_put(&tr->tmap, (uint64_t)id, 0, (uint32_t)tr->nt);
    t = &tr->t[tr->nt++];
    memset(t, 0, sizeof *t);
    t->id = id;
    return t;
}

static struct rt_customer *get_customer(struct insight_risk_track *tr, int64_t id)
{
    struct rt_customer *c = find_customer(tr, id);
    if (c)
        return c;
    if (tr->nc == tr->capc) {
        tr->capc = tr->capc ? tr->capc * 2 : 1024;
        tr->c = xrealloc(tr->c, tr->capc * sizeof *tr->c);
        if (tr->collect)
            tr->cs = xrealloc(tr->cs, tr->capc * sizeof *tr->cs);
    }
    insight__imap_put(&tr->cmap, (uint64_t)id, 1, (uint32_t)tr->nc);
    if (tr->collect)
        memset(&tr->cs[tr->nc], 0, sizeof *tr->cs);
    c = &tr->c[tr->nc++];
    memset(c, 0, sizeof *c);
    c->id = id;
    return c;
}

/* ---- features ----------------------------------------------------------------- */

static void ticket_features(const struct insight_risk_track *tr, const struct rt_ticket *t,
                            int64_t now, struct insight_ticket_features *f)
{
    memset(f, 0, sizeof *f);
    f->anger_max = t->anger_max;
    f->negativity_max = t->neg_max;
    f->negativity_trend = t->inbound > 1 ? t->neg_last - t->neg_first : 0.0;
    f->cues = t->cues;
    if (t->last_inbound_at > t->last_reply_at && now > t->last_inbound_at)
        f->wait_hours = (double)(now - t->last_inbound_at) / HOUR_MS;
    f->reopen_count = t->reopen;
    f->repeat_contacts = t->repeat;
    f->priority = t->priority;
    f->channel = t->channel;
    f->messages = t->inbound;
    f->agent_replies = t->replies;
    if (t->first_reply_at && t->created_at && t->first_reply_at > t->created_at)
        f->first_response_hours = (double)(t->first_reply_at - t->created_at) / HOUR_MS;
    const struct rt_customer *c = t->customer_id ? find_customer(tr, t->customer_id) : NULL;
    f->tier = c ? c->tier : 0;
}

static void customer_features(const struct rt_customer *c, int64_t now,
                              struct insight_customer_features *f)
{
    memset(f, 0, sizeof *f);
    uint32_t k = c->nrecent < RING ? c->nrecent : RING;
    for (uint32_t i = 0; i < k; i++)
        f->contacts_90d += now - c->recent[i] <= 90 * DAY_MS;
    f->negative_share = c->msgs ? (double)c->neg_msgs / c->msgs : 0.0;
    f->unresolved = (int)c->open;
    f->csat_mean = c->csat_n ? (double)c->csat_sum / c->csat_n : 0.0;
    f->low_csat = (int)c->low_csat;
    f->tenure_days = c->first_at && now > c->first_at ? (double)(now - c->first_at) / DAY_MS : 0;
    f->days_since_contact =
        c->last_contact && now > c->last_contact ? (double)(now - c->last_contact) / DAY_MS : 0;
    f->escalations = (int)c->escalations;
    f->tier = c->tier;
}

int insight_risk_track_ticket(const struct insight_risk_track *tr, int64_t ticket_id, int64_t now,
                              struct insight_ticket_features *f, bool *open_out)
{
    const struct rt_ticket *t = tr ? find_ticket(tr, ticket_id) : NULL;
    if (!t)
        return PL_ENOTFOUND;
    ticket_features(tr, t, now, f);
    if (open_out)
        *open_out = status_is_open((enum ticket_status)t->status);
    return 0;
}

int insight_risk_track_customer(const struct insight_risk_track *tr, int64_t customer_id,
                                int64_t now, struct insight_customer_features *f)
{
    const struct rt_customer *c = tr ? find_customer(tr, customer_id) : NULL;
    if (!c)
        return PL_ENOTFOUND;
    customer_features(c, now, f);
    return 0;
}

/* ---- sampling ------------------------------------------------------------------ */

/* Deterministic "replace with probability 1/seen" for the reservoir. */
static uint64_t mix(uint64_t h);

static bool reservoir_take(int64_t id, uint32_t seen)
{
    return mix((uint64_t)id * 0x9e3779b97f4a7c15ULL ^ (uint64_t)seen * 0xbf58476d1ce4e5b9ULL) %
               seen == 0;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 29;
    return h;
}

/* The ticket waited from its last inbound message until `until` (the next
 * thing that happened to it): the candidate sample is its state at a point
 * drawn uniformly in that wait, offered to the reservoir. */
static void realize_candidate(struct insight_risk_track *tr, struct rt_ticket *t, int64_t until)
{
    t->flags &= (uint8_t)~T_CAND;
    t->seen++;
    if (!reservoir_take(t->id, t->seen))
        return;
    uint64_t span = (uint64_t)(until - t->last_inbound_at);
    int64_t at = t->last_inbound_at + (int64_t)(mix((uint64_t)t->id ^ t->seen) % span);
    struct tsample *s = &tr->kept[t - tr->t];
    ticket_features(tr, t, at, &s->f);
    s->at = at;
}

static void sample_customer(struct insight_risk_track *tr, struct rt_customer *c,
                            const struct rt_ticket *t, int64_t at)
{
    struct csample *s = &tr->cs[c - tr->c];
    s->seen++;
    if (!reservoir_take(c->id ^ 0x5bd1e995, s->seen))
        return;
    customer_features(c, at, &s->f);
    s->at = at;
    s->next_contact = 0;
    s->cancel_at = 0;
    s->valid = true;
    s->bad = (t->flags & T_ESCALATED) || (t->csat > 0 && t->csat <= 2) ||
             (t->flags & T_BAD_LAST);
}

/* ---- events ------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void on_inbound(struct insight_risk_track *tr, struct rt_ticket *t, const json_t *after,
                       int64_t at)
{
    const json_t *an = json_object_get(after, "analysis");
    double neg = 0, anger = 0;
    int cues = 0;
    bool cancel = false;
    if (json_is_object(an)) {
        double s = json_number_value(json_object_get(an, "sentiment"));
        neg = s < 0 ? (s < -1 ? 1 : -s) : 0;
        anger = json_number_value(json_object_get(an, "anger"));
        const json_t *cv = json_object_get(an, "cues"), *v;
        size_t i;
        json_array_foreach(cv, i, v) {
            const char *name = json_string_value(v);
            if (!name || !strcmp(name, "profanity") || !strcmp(name, "insult"))
                continue;
            cues++;
            cancel |= !strcmp(name, "cancel");
        }
    }
    if (t->inbound == 0)
        t->neg_first = (float)neg;
    t->neg_last = (float)neg;
    if (neg > t->neg_max)
        t->neg_max = (float)neg;
    if (anger > t->anger_max)
        t->anger_max = (float)anger;
    t->cues = (uint16_t)(t->cues + cues);
    if (t->inbound < UINT16_MAX)
        t->inbound++;
    t->last_inbound_at = at;
    if (neg > NEGATIVE)
        t->flags |= T_BAD_LAST;
    else
        t->flags &= (uint8_t)~T_BAD_LAST;
    struct rt_customer *c = t->customer_id ? get_customer(tr, t->customer_id) : NULL;
    if (c) {
        c->msgs++;
        c->neg_msgs += neg > NEGATIVE;
        c->last_contact = at;
        if (tr->collect) {
            struct csample *s = &tr->cs[c - tr->c];
            if (s->valid && cancel && !s->cancel_at && at > s->at)
                s->cancel_at = at;
        }
    }
    if (tr->collect && status_is_open((enum ticket_status)t->status) &&
        !(t->flags & T_ESCALATED))
        t->flags |= T_CAND;
}

static void on_created(struct insight_risk_track *tr, struct rt_ticket *t, const struct event *ev,
                       const json_t *after)
{
    enum channel ch;
    enum priority p;
    t->customer_id = ev->customer_id;
    t->created_at = ev->created_at;
    t->status = STATUS_NEW;
    if (jstr(after, "channel") && !channel_parse(jstr(after, "channel"), &ch))
        t->channel = (uint8_t)ch;
    if (jstr(after, "priority") && !priority_parse(jstr(after, "priority"), &p))
        t->priority = (uint8_t)p;
    if (!t->customer_id)
        return;
    struct rt_customer *c = get_customer(tr, t->customer_id);
    uint32_t k = c->nrecent < RING ? c->nrecent : RING, rep = 0;
    for (uint32_t i = 0; i < k; i++)
        rep += ev->created_at - c->recent[i] <= 30 * DAY_MS;
    t->repeat = (uint16_t)rep;
    c->recent[c->nrecent % RING] = ev->created_at;
    c->nrecent++;
    if (!c->first_at)
        c->first_at = ev->created_at;
    c->last_contact = ev->created_at;
    c->open++;
    if (tr->collect) {
        struct csample *s = &tr->cs[c - tr->c];
        if (s->valid && !s->next_contact && ev->created_at > s->at)
            s->next_contact = ev->created_at;
    }
}

static void on_status(struct insight_risk_track *tr, struct rt_ticket *t, const json_t *after,
                      int64_t at)
{
    enum ticket_status to;
    if (!jstr(after, "status") || status_parse(jstr(after, "status"), &to))
        return;
    bool was_open = status_is_open((enum ticket_status)t->status), now_open = status_is_open(to);
    struct rt_customer *c = t->customer_id ? get_customer(tr, t->customer_id) : NULL;
    if (was_open && !now_open) {
        if (c && c->open)
            c->open--;
        t->flags &= (uint8_t)~T_CAND; /* closed: nothing more to predict */
        if (tr->collect && c)
            sample_customer(tr, c, t, at);
    } else if (!was_open && now_open) {
        if (t->reopen < UINT16_MAX)
            t->reopen++;
        if (c)
            c->open++;
    }
    t->status = (uint8_t)to;
}

int insight_risk_track_apply(struct insight_risk_track *tr, const struct event *ev)
{
    const char *ty = ev->type;
    if (!ty || ev->ticket_id <= 0)
        return 0;
    bool created = !strcmp(ty, "ticket.created"), inbound = !strcmp(ty, "message.inbound"),
         reply = !strcmp(ty, "message.reply"), status = !strcmp(ty, "ticket.status"),
         prio = !strcmp(ty, "ticket.priority"), esc = !strcmp(ty, "ticket.escalated"),
         survey = !strcmp(ty, "survey.answered");
    if (!(created || inbound || reply || status || prio || esc || survey))
        return 0;
    json_t *after = ev->after ? json_loads(ev->after, 0, NULL) : NULL;
    if (ev->after && !after)
        return PL_EPARSE;
    struct rt_ticket *t = get_ticket(tr, ev->ticket_id);
    int64_t at = ev->created_at;
    if ((t->flags & T_CAND) && at > t->last_inbound_at)
        realize_candidate(tr, t, at);
    if (created) {
        on_created(tr, t, ev, after);
    } else if (inbound) {
        on_inbound(tr, t, after, at);
    } else if (reply) {
        /* The system's auto-acknowledgement is not an answer. */
        if (ev->actor_kind != ACTOR_SYSTEM) {
            if (!t->first_reply_at)
                t->first_reply_at = at;
            t->last_reply_at = at;
            if (t->replies < UINT16_MAX)
                t->replies++;
        }
    } else if (status) {
        on_status(tr, t, after, at);
    } else if (prio) {
        enum priority p;
        if (jstr(after, "priority") && !priority_parse(jstr(after, "priority"), &p))
            t->priority = (uint8_t)p;
    } else if (esc && !(t->flags & T_ESCALATED)) {
        t->flags |= T_ESCALATED;
        t->escalated_at = at;
        /* Escalated by the triage of the message just in: the rule, not a
         * forecast; that wait yields no sample. */
        t->flags &= (uint8_t)~T_CAND;
        struct rt_customer *c = t->customer_id ? get_customer(tr, t->customer_id) : NULL;
        if (c)
            c->escalations++;
    } else if (survey) {
        json_int_t s = json_integer_value(json_object_get(after, "score"));
        if (s >= 1 && s <= 5) {
            t->csat = (int8_t)s;
            struct rt_customer *c = t->customer_id ? get_customer(tr, t->customer_id) : NULL;
            if (c) {
                c->csat_n++;
                c->csat_sum += (uint32_t)s;
                c->low_csat += s <= 2;
            }
        }
    }
    json_decref(after);
    return 0;
}

/* ---- snapshot ------------------------------------------------------------------ */

#define SNAP_MAGIC "parley-risk-track 1\n"
#define SNAP_MAGIC_LEN 20

void insight_risk_track_save(const struct insight_risk_track *tr, struct buf *out)
{
    uint64_t h[4] = {sizeof(struct rt_ticket), sizeof(struct rt_customer), tr->nt, tr->nc};
    buf_add(out, SNAP_MAGIC, SNAP_MAGIC_LEN);
    buf_add(out, h, sizeof h);
    buf_add(out, tr->t, tr->nt * sizeof *tr->t);
    buf_add(out, tr->c, tr->nc * sizeof *tr->c);
}

int insight_risk_track_load(const char *p, size_t len, struct insight_risk_track **out)
{
    uint64_t h[4];
    if (len < SNAP_MAGIC_LEN + sizeof h || memcmp(p, SNAP_MAGIC, SNAP_MAGIC_LEN))
        return PL_EFORMAT;
    memcpy(h, p + SNAP_MAGIC_LEN, sizeof h);
    size_t body = len - SNAP_MAGIC_LEN - sizeof h;
    if (h[0] != sizeof(struct rt_ticket) || h[1] != sizeof(struct rt_customer) ||
        h[2] >= UINT32_MAX || h[3] >= UINT32_MAX ||
        h[2] * sizeof(struct rt_ticket) + h[3] * sizeof(struct rt_customer) != body)
        return PL_EFORMAT;
    struct insight_risk_track *tr = insight_risk_track_new(false);
    const char *q = p + SNAP_MAGIC_LEN + sizeof h;
    tr->nt = tr->capt = (size_t)h[2];
    tr->nc = tr->capc = (size_t)h[3];
    tr->t = xmalloc((tr->nt ? tr->nt : 1) * sizeof *tr->t);
    tr->c = xmalloc((tr->nc ? tr->nc : 1) * sizeof *tr->c);
    memcpy(tr->t, q, tr->nt * sizeof *tr->t);
    memcpy(tr->c, q + tr->nt * sizeof *tr->t, tr->nc * sizeof *tr->c);
    for (size_t i = 0; i < tr->nt; i++) {
        if (find_ticket(tr, tr->t[i].id) || tr->t[i].status >= STATUS__COUNT)
            goto bad;
        insight__imap_put(&tr->tmap, (uint64_t)tr->t[i].id, 0, (uint32_t)i);
    }
    for (size_t i = 0; i < tr->nc; i++) {
        if (find_customer(tr, tr->c[i].id))
            goto bad;
        insight__imap_put(&tr->cmap, (uint64_t)tr->c[i].id, 1, (uint32_t)i);
    }
    *out = tr;
    return 0;
bad:
    insight_risk_track_free(tr);
    return PL_EFORMAT;
}

/* ---- datasets ----------------------------------------------------------------- */

static void data_add(struct insight_risk_data *d, size_t *cap, const double *x, int y, int64_t at)
{
    if (d->n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        d->X = xrealloc(d->X, *cap * (size_t)d->d * sizeof *d->X);
        d->y = xrealloc(d->y, *cap * sizeof *d->y);
        d->at = xrealloc(d->at, *cap * sizeof *d->at);
    }
    memcpy(d->X + d->n * (size_t)d->d, x, (size_t)d->d * sizeof *x);
    d->y[d->n] = y;
    d->at[d->n] = at;
    d->n++;
}

void insight_risk_track_dataset(const struct insight_risk_track *tr, enum insight_risk_kind kind,
                                int64_t end_ms, struct insight_risk_data *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->d = insight_risk_nfeatures(kind);
    if (!tr || !tr->collect)
        return;
    size_t cap = 0;
    double x[INSIGHT_RISK_MAX_FEATURES];
    if (kind == INSIGHT_RISK_CHURN) {
        const int64_t win = INSIGHT_CHURN_WINDOW_DAYS * DAY_MS;
        for (size_t i = 0; i < tr->nc; i++) {
            const struct csample *s = &tr->cs[i];
            if (!s->valid)
                continue;
            bool cancel = s->cancel_at && s->cancel_at - s->at <= win;
            if (!cancel && s->at + win > end_ms)
                continue; /* outcome not known yet */
            bool silent = !s->next_contact || s->next_contact - s->at > win;
            insight_customer_vector(&s->f, x);
            data_add(out, &cap, x, cancel || (s->bad && silent), s->at);
        }
        return;
    }
    for (size_t i = 0; i < tr->nt; i++) {
        const struct rt_ticket *t = &tr->t[i];
        if (!t->seen)
            continue;
        const struct tsample *s = &tr->kept[i];
        int y;
        if (kind == INSIGHT_RISK_ESCALATION)
            y = (t->flags & T_ESCALATED) && t->escalated_at > s->at;
        else if (t->csat > 0)
            y = t->csat <= 2;
        else
            continue;
        insight_ticket_vector(&s->f, x);
        data_add(out, &cap, x, y, s->at);
    }
}

void insight_risk_data_release(struct insight_risk_data *d)
{
    free(d->X);
    free(d->y);
    free(d->at);
    memset(d, 0, sizeof *d);
}

/* ---- fit and evaluate -------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t default_holdout(const struct insight_risk_data *d)
{
    int64_t *t = xmalloc(d->n * sizeof *t);
    memcpy(t, d->at, d->n * sizeof *t);
    qsort(t, d->n, sizeof *t, cmp_i64);
    int64_t cut = t[(d->n * 8) / 10];
    free(t);
    return cut;
}

static json_t *reliability_json(const struct insight_calibration *c)
{
    json_t *arr = json_array();
    for (int b = 0; b < c->bins; b++) {
        if (!c->count[b])
            continue;
        json_array_append_new(arr, json_pack("{s:f,s:f,s:I,s:f,s:f}", "from", (double)b / c->bins,
                                             "to", (double)(b + 1) / c->bins, "n",
                                             (json_int_t)c->count[b], "predicted",
                                             c->mean_pred[b], "observed", c->observed[b]));
    }
    return arr;
}

int insight_risk_fit(const struct insight_risk_data *d, int64_t holdout_from, double l2,
                     struct insight_risk_model *m, json_t **report, const char **why)
{
    *report = NULL;
    *why = NULL;
    if (d->n < 10) {
        *why = "fewer than 10 samples";
        return PL_EINVAL;
    }
    if (!holdout_from)
        holdout_from = default_holdout(d);
    size_t ntr = 0, nte = 0, ptr = 0, pte = 0, k = (size_t)d->d;
    double *Xtr = xmalloc(d->n * k * sizeof *Xtr), *Xte = xmalloc(d->n * k * sizeof *Xte);
    int *ytr = xmalloc(d->n * sizeof *ytr), *yte = xmalloc(d->n * sizeof *yte);
    for (size_t i = 0; i < d->n; i++) {
        bool test = d->at[i] >= holdout_from;
        double *dst = test ? Xte + nte * k : Xtr + ntr * k;
        memcpy(dst, d->X + i * k, k * sizeof *dst);
        if (test) {
            pte += d->y[i] != 0;
            yte[nte++] = d->y[i];
        } else {
            ptr += d->y[i] != 0;
            ytr[ntr++] = d->y[i];
        }
    }
    int rc = PL_EINVAL;
    double *p = NULL;
    if (ntr < 10 || ptr == 0 || ptr == ntr) {
        *why = "the training period has too few samples or one outcome only";
        goto out;
    }
    if (nte < 10 || pte == 0 || pte == nte) {
        *why = "the held-out period has too few samples or one outcome only";
        goto out;
    }
    if ((rc = insight_risk_train(m, d->kind, Xtr, ytr, ntr, l2))) {
        *why = "training did not converge";
        goto out;
    }
    p = xmalloc(nte * sizeof *p);
    double base = (double)ptr / (double)ntr, base_brier = 0;
    for (size_t i = 0; i < nte; i++) {
        p[i] = insight_risk_predict(m, Xte + i * k);
        base_brier += (base - yte[i]) * (base - yte[i]);
    }
    struct insight_calibration cal;
    insight_calibrate(p, yte, nte, 10, &cal);
    json_t *w = json_array();
    for (int j = 0; j < m->d; j++)
        json_array_append_new(w, json_pack("{s:s,s:f}", "name",
                                           insight_risk_feature_name(d->kind, j), "weight",
                                           m->w[j]));
    *report = json_pack(
        "{s:s,s:I,s:{s:I,s:I},s:{s:I,s:I,s:f,s:f,s:f,s:f,s:o},s:o}", "kind",
        insight_risk_kind_name(d->kind), "holdout_from_ms", (json_int_t)holdout_from, "train",
        "n", (json_int_t)ntr, "positives", (json_int_t)ptr, "test", "n", (json_int_t)nte,
        "positives", (json_int_t)pte, "auc", insight_auc(p, yte, nte), "brier", cal.brier,
        "baseline_brier", base_brier / (double)nte, "ece", cal.ece, "reliability",
        reliability_json(&cal), "weights", w);
    rc = 0;
out:
    free(p);
    free(Xtr);
    free(Xte);
    free(ytr);
    free(yte);
    return rc;
}
