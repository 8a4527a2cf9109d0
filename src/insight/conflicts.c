/* conflicts.c — the conflict tickets and orders in memory (conflicts.h).
 *
 * Tickets: one array sorted by (created_at, id), so a period is a binary
 * search and a walk, and one sorted by id that gives a ticket's creation
 * time (facts name only the ticket). New tickets are created now with the
 * next id, so insertions land at the ends; a ticket that stops being a
 * conflict, or an import of old history, moves the tail. Orders: per
 * customer id (the database's sequential ids index a dense array) the
 * sorted times of their orders. */
#include "insight/conflicts.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    int64_t at, id, customer;
    struct insight_conflict_fact *f;
    size_t nf;
};

struct by_id {
    int64_t id, at;
};

struct times {
    int64_t *at;
    uint32_t n, cap;
};

struct insight_conflicts {
    struct entry *t;               /* by (at, id) */
    struct by_id *ids;             /* the same tickets by id */
    size_t n, cap;
    int64_t max_customer;          /* highest customer id of any ticket */
    struct times *orders;          /* by customer id */
    size_t norders;                /* customers the array covers */
};

struct insight_conflicts *insight_conflicts_new(void)
{
    return xcalloc(1, sizeof(struct insight_conflicts));
}

void insight_conflicts_free(struct insight_conflicts *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->t[i].f);
    for (size_t i = 0; i < c->norders; i++)
        free(c->orders[i].at);
    free(c->orders);
    free(c->ids);
    free(c->t);
    free(c);
}

static void grow(struct insight_conflicts *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->t = xrealloc(c->t, c->cap * sizeof *c->t);
        c->ids = xrealloc(c->ids, c->cap * sizeof *c->ids);
    }
}

static void note_customer(struct insight_conflicts *c, int64_t customer)
{
    if (customer > c->max_customer)
        c->max_customer = customer;
}

/* The first entry not before (at, id). */
static size_t lower(const struct insight_conflicts *c, int64_t at, int64_t id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct entry *e = &c->t[mid];
        if (e->at < at || (e->at == at && e->id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first by_id entry not below id. */
static size_t lower_id(const struct insight_conflicts *c, int64_t id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ids[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void insight_conflicts_load(struct insight_conflicts *c, int64_t id, int64_t created_at,
                            int64_t customer)
{
    grow(c);
    c->t[c->n++] = (struct entry){created_at, id, customer, NULL, 0};
    note_customer(c, customer);
}

static int by_time(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_ticket(const void *a, const void *b)
{
    const struct by_id *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

void insight_conflicts_sort(struct insight_conflicts *c)
{
    if (c->n == 0)
        return;
    qsort(c->t, c->n, sizeof *c->t, by_time);
    for (size_t i = 0; i < c->n; i++)
        c->ids[i] = (struct by_id){c->t[i].id, c->t[i].at};
    qsort(c->ids, c->n, sizeof *c->ids, by_ticket);
}

static void remove_at(struct insight_conflicts *c, size_t i, size_t k)
{
    free(c->t[i].f);
    memmove(&c->t[i], &c->t[i + 1], (c->n - i - 1) * sizeof *c->t);
    memmove(&c->ids[k], &c->ids[k + 1], (c->n - k - 1) * sizeof *c->ids);
    c->n--;
}

static void insert_at(struct insight_conflicts *c, size_t i, size_t k, int64_t id,
                      int64_t created_at, int64_t customer)
{
    grow(c);
    memmove(&c->t[i + 1], &c->t[i], (c->n - i) * sizeof *c->t);
    memmove(&c->ids[k + 1], &c->ids[k], (c->n - k) * sizeof *c->ids);
    c->t[i] = (struct entry){created_at, id, customer, NULL, 0};
    c->ids[k] = (struct by_id){id, created_at};
    c->n++;
}

void insight_conflicts_ticket(struct insight_conflicts *c, int64_t id, int64_t created_at,
                              int64_t customer, bool conflict,
                              const struct insight_conflict_fact *f, size_t nf)
{
    size_t i = lower(c, created_at, id), k = lower_id(c, id);
    bool found = i < c->n && c->t[i].id == id && c->t[i].at == created_at;
    if (found && !conflict) {
        remove_at(c, i, k);
        return;
    }
    if (!conflict)
        return;
    if (!found)
        insert_at(c, i, k, id, created_at, customer);
    struct entry *e = &c->t[i];
    e->customer = customer;
    free(e->f);
    e->f = NULL;
    if (nf) {
        e->f = xmalloc(nf * sizeof *f);
        memcpy(e->f, f, nf * sizeof *f);
    }
    e->nf = nf;
    note_customer(c, customer);
}

void insight_conflicts_fact(struct insight_conflicts *c, int64_t id, int64_t at, int64_t value)
{
    size_t k = lower_id(c, id);
    if (k == c->n || c->ids[k].id != id)
        return;
    struct entry *e = &c->t[lower(c, c->ids[k].at, id)];
    e->f = xrealloc(e->f, (e->nf + 1) * sizeof *e->f);
    e->f[e->nf++] = (struct insight_conflict_fact){at, value};
}

void insight_conflicts_move(struct insight_conflicts *c, int64_t from, int64_t into)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->t[i].customer == from)
            c->t[i].customer = into;
    note_customer(c, into);
}

void insight_conflicts_order(struct insight_conflicts *c, int64_t customer, int64_t at)
{
    if (customer <= 0)
        return;
    if ((size_t)customer >= c->norders) {
        size_t n = c->norders ? c->norders : 1024;
        while (n <= (size_t)customer)
            n *= 2;
        c->orders = xrealloc(c->orders, n * sizeof *c->orders);
        memset(&c->orders[c->norders], 0, (n - c->norders) * sizeof *c->orders);
        c->norders = n;
    }
    struct times *o = &c->orders[customer];
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 2;
        o->at = xrealloc(o->at, o->cap * sizeof *o->at);
    }
    uint32_t k = o->n++;
    for (; k > 0 && o->at[k - 1] > at; k--)
        o->at[k] = o->at[k - 1];
    o->at[k] = at;
}

/* Whether customer has an order in [from, to). */
static bool ordered(const struct insight_conflicts *c, int64_t customer, int64_t from,
                    int64_t to)
{
    if ((size_t)customer >= c->norders)
        return false;
    const struct times *o = &c->orders[customer];
    uint32_t lo = 0, hi = o->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (o->at[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < o->n && o->at[lo] < to;
}

void insight_conflicts_count(const struct insight_conflicts *c,
                             const struct insight_conflicts_query *q,
                             struct insight_conflicts_count *out)
{
    memset(out, 0, sizeof *out);
    size_t i = lower(c, q->from, INT64_MIN), end = lower(c, q->to, INT64_MIN);
    if (i >= end)
        return;
    size_t words = (size_t)c->max_customer / 64 + 1;
    uint64_t *seen = xcalloc(words, sizeof *seen);
    for (; i < end; i++) {
        const struct entry *e = &c->t[i];
        for (size_t j = 0; j < e->nf; j++)
            if (e->f[j].at < q->until)
                out->facts += e->f[j].value;
        int64_t k = e->customer;
        if (k < 0)
            continue;   /* no customer id is; never index with one */
        uint64_t bit = UINT64_C(1) << (k % 64);
        if (seen[k / 64] & bit)
            continue;
        seen[k / 64] |= bit;     /* by time: e is the customer's first */
        out->customers++;
        if (e->at < q->cut) {
            out->measured++;
            out->retained += ordered(c, k, e->at + 1, e->at + q->window + 1);
        }
    }
    free(seen);
}
