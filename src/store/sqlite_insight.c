/* sqlite_insight.c — the SQLite backend's drill-down facts and orders
 * (statements in sqlite_internal.h, SQ_INSIGHT_STATEMENTS). */
#include "store/sqlite_internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sq__fact_insert(struct store *st, const struct metric_fact *f)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_FACT_INSERT);
    bind_i64(q, 1, f->kind);
    bind_i64(q, 2, f->at);
    bind_i64(q, 3, f->ticket_id);
    bind_i64(q, 4, f->agent);
    bind_text(q, 5, f->category);
    bind_i64(q, 6, f->channel);
    bind_i64(q, 7, f->priority);
    if (isnan(f->value))
        sqlite3_bind_null(q, 8);
    else
        sqlite3_bind_double(q, 8, f->value);
    bind_i64(q, 9, f->label);
    bind_i64(q, 10, f->event_id);
    return sq__run(s, q);
}

int sq__fact_withdraw(struct store *st, int kind, int64_t ticket_id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_FACT_WITHDRAW);
    bind_i64(q, 1, kind);
    bind_i64(q, 2, ticket_id);
    return sq__run(s, q);
}

/* The statement for f's dimension, bound: agent and category have their
 * own index (kind, value, at); the rest filter the (kind, at) range. */
static sqlite3_stmt *fact_query(struct sq *s, const struct fact_filter *f)
{
    int by = f->dim == 1 ? S_FACT_LIST_AGENT : f->dim == 2 ? S_FACT_LIST_CATEGORY : S_FACT_LIST;
    sqlite3_stmt *q = sq__stmt(s, (enum sid)by);
    if (!q)
        return NULL;
    int i = 1;
    bind_i64(q, i++, f->kind);
    if (by == S_FACT_LIST_AGENT)
        bind_i64(q, i++, f->value);
    else if (by == S_FACT_LIST_CATEGORY)
        bind_text(q, i++, f->category);
    bind_i64(q, i++, f->from);
    bind_i64(q, i++, f->to);
    if (by == S_FACT_LIST) {
        bind_i64(q, i++, f->dim);
        bind_i64(q, i++, f->value);
    }
    bind_i64(q, i++, f->has_label);
    bind_i64(q, i++, f->label);
    bind_i64(q, i, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    return q;
}

int sq__fact_list(struct store *st, const struct fact_filter *f, struct metric_fact **out,
                  size_t *n)
{
    struct sq *s = SQ(st);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = fact_query(s, f);
    if (!q)
        return PL_EDB;
    struct metric_fact *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
        }
        struct metric_fact *x = &v[len++];
        x->kind = col_int(q, 0);
        x->at = col_i64(q, 1);
        x->ticket_id = col_i64(q, 2);
        x->agent = col_i64(q, 3);
        x->category = col_str(q, 4);
        x->channel = col_int(q, 5);
        x->priority = col_int(q, 6);
        x->value = sqlite3_column_type(q, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 7);
        x->label = col_int(q, 8);
        x->event_id = col_i64(q, 9);
    }
    done(q);
    if (rc < 0) {
        store_free_facts(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

int sq__order_insert(struct store *st, struct order *o)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_ORDER_INSERT);
    if (!o->created_at)
        o->created_at = clock_now_ms();
    bind_text(q, 1, o->external_id);
    bind_i64(q, 2, o->customer_id);
    bind_i64(q, 3, o->amount_cents);
    bind_text(q, 4, o->currency);
    bind_i64(q, 5, o->upsell);
    bind_i64(q, 6, o->ordered_at);
    bind_i64(q, 7, o->created_at);
    return sq__insert(s, q, &o->id);
}

/* Runs a bound statement that returns one row of integers. */
static int int_row(struct sq *s, sqlite3_stmt *q, int64_t *out, int n)
{
    int rc = sq__next(s, q);
    if (rc == 1) {
        for (int i = 0; i < n; i++)
            out[i] = col_i64(q, i);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_EDB;
    }
    done(q);
    return rc;
}

int sq__order_totals(struct store *st, int64_t from, int64_t to, struct order_totals *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_ORDER_TOTALS);
    bind_i64(q, 1, from);
    bind_i64(q, 2, to);
    int64_t v[6];
    int rc = int_row(s, q, v, 6);
    if (rc == 0)
        *out = (struct order_totals){v[0], v[1], v[2], v[3], v[4], v[5]};
    return rc;
}

int sq__conflict_customers(struct store *st, int64_t from, int64_t to, int64_t cut,
                           int64_t window, int64_t *customers, int64_t *measured,
                           int64_t *retained)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CONFLICT_CUSTOMERS);
    bind_i64(q, 1, from);
    bind_i64(q, 2, to);
    bind_i64(q, 3, cut);
    bind_i64(q, 4, window);
    int64_t v[3];
    int rc = int_row(s, q, v, 3);
    if (rc == 0) {
        *customers = v[0];
        *measured = v[1];
        *retained = v[2];
    }
    return rc;
}

int sq__conflict_facts(struct store *st, int kind, int64_t from, int64_t to, int64_t until,
                       int64_t *sum)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CONFLICT_FACTS);
    bind_i64(q, 1, kind);
    bind_i64(q, 2, from);
    bind_i64(q, 3, to);
    bind_i64(q, 4, until);
    return int_row(s, q, sum, 1);
}

/* Calls fn with the rows of (what, id, at, v) of a bound statement. */
static int scan_rows(struct sq *s, sqlite3_stmt *q,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v), void *ctx)
{
    int rc;
    while ((rc = sq__next(s, q)) == 1)
        if ((rc = fn(ctx, (int)col_i64(q, 0), col_i64(q, 1), col_i64(q, 2), col_i64(q, 3))))
            break;
    done(q);
    return rc;
}

int sq__conflict_scan(struct store *st, int kind,
                      int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                      void *ctx)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CONFLICT_SCAN);
    bind_i64(q, 1, kind);
    return scan_rows(s, q, fn, ctx);
}

int sq__ticket_facts(struct store *st, int kind, int64_t ticket_id,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                     void *ctx)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_TICKET_FACTS);
    bind_i64(q, 1, kind);
    bind_i64(q, 2, ticket_id);
    return scan_rows(s, q, fn, ctx);
}
