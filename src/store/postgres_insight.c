/* postgres_insight.c — the PostgreSQL backend's drill-down facts and
 * orders (statements in postgres_internal.h, PG_INSIGHT_STATEMENTS). */
#include "store/postgres_internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <math.h>
#include <string.h>

int pg__fact_insert(struct store *st, const struct metric_fact *f)
{
    struct args a = {0};
    char val[40];
    a_i64(&a, f->kind);
    a_i64(&a, f->at);
    a_i64(&a, f->ticket_id);
    a_i64(&a, f->agent);
    a_str(&a, f->category);
    a_i64(&a, f->channel);
    a_i64(&a, f->priority);
    snprintf(val, sizeof val, "%.17g", f->value);
    a_str(&a, isnan(f->value) ? NULL : val);
    a_i64(&a, f->label);
    a_i64(&a, f->event_id);
    return pg__run(PG(st), P_FACT_INSERT, &a);
}

int pg__fact_withdraw(struct store *st, int kind, int64_t ticket_id)
{
    struct args a = {0};
    a_i64(&a, kind);
    a_i64(&a, ticket_id);
    return pg__run(PG(st), P_FACT_WITHDRAW, &a);
}

int pg__fact_list(struct store *st, const struct fact_filter *f, struct metric_fact **out,
                  size_t *n)
{
    struct args a = {0};
    int rc;
    *out = NULL;
    *n = 0;
    /* agent and category have their own index (kind, value, at) */
    enum pid by = f->dim == 1 ? P_FACT_LIST_AGENT : f->dim == 2 ? P_FACT_LIST_CATEGORY
                                                                : P_FACT_LIST;
    a_i64(&a, f->kind);
    if (by == P_FACT_LIST_AGENT)
        a_i64(&a, f->value);
    else if (by == P_FACT_LIST_CATEGORY)
        a_str(&a, f->category);
    a_i64(&a, f->from);
    a_i64(&a, f->to);
    if (by == P_FACT_LIST) {
        a_i64(&a, f->dim);
        a_i64(&a, f->value);
    }
    a_i64(&a, f->has_label);
    a_i64(&a, f->label);
    a_i64(&a, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    PGresult *r = pg__exec(PG(st), by, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    struct metric_fact *v = xcalloc(rows ? (size_t)rows : 1, sizeof *v);
    for (int i = 0; i < rows; i++) {
        struct metric_fact *x = &v[i];
        x->kind = col_int(r, i, 0);
        x->at = col_i64(r, i, 1);
        x->ticket_id = col_i64(r, i, 2);
        x->agent = col_i64(r, i, 3);
        x->category = col_str(r, i, 4);
        x->channel = col_int(r, i, 5);
        x->priority = col_int(r, i, 6);
        x->value = PQgetisnull(r, i, 7) ? NAN : strtod(PQgetvalue(r, i, 7), NULL);
        x->label = col_int(r, i, 8);
        x->event_id = col_i64(r, i, 9);
    }
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return 0;
}

int pg__order_insert(struct store *st, struct order *o)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    if (!o->created_at)
        o->created_at = clock_now_ms();
    a_str(&a, o->external_id);
    a_i64(&a, o->customer_id);
    a_i64(&a, o->amount_cents);
    a_str(&a, o->currency);
    a_i64(&a, o->upsell);
    a_i64(&a, o->ordered_at);
    a_i64(&a, o->created_at);
    PGresult *r = pg__exec(p, P_ORDER_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 1) {
        o->id = col_i64(r, 0, 0);
    } else {
        pg__set_err(p, "an order with that external id exists");
        rc = PL_EEXISTS;
    }
    PQclear(r);
    return rc;
}

/* Runs a statement that returns one row of integers. */
static int int_row(struct pg *p, enum pid id, const struct args *a, int64_t *out, int n)
{
    int rc;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 1)
        for (int i = 0; i < n; i++)
            out[i] = col_i64(r, 0, i);
    else
        rc = PL_EDB;
    PQclear(r);
    return rc;
}

int pg__order_totals(struct store *st, int64_t from, int64_t to, struct order_totals *out)
{
    struct args a = {0};
    a_i64(&a, from);
    a_i64(&a, to);
    int64_t v[6];
    int rc = int_row(PG(st), P_ORDER_TOTALS, &a, v, 6);
    if (rc == 0)
        *out = (struct order_totals){v[0], v[1], v[2], v[3], v[4], v[5]};
    return rc;
}

int pg__conflict_customers(struct store *st, int64_t from, int64_t to, int64_t cut,
                           int64_t window, int64_t *customers, int64_t *measured,
                           int64_t *retained)
{
    struct args a = {0};
    a_i64(&a, from);
    a_i64(&a, to);
    a_i64(&a, cut);
    a_i64(&a, window);
    int64_t v[3];
    int rc = int_row(PG(st), P_CONFLICT_CUSTOMERS, &a, v, 3);
    if (rc == 0) {
        *customers = v[0];
        *measured = v[1];
        *retained = v[2];
    }
    return rc;
}

int pg__conflict_facts(struct store *st, int kind, int64_t from, int64_t to, int64_t until,
                       int64_t *sum)
{
    struct args a = {0};
    a_i64(&a, kind);
    a_i64(&a, from);
    a_i64(&a, to);
    a_i64(&a, until);
    return int_row(PG(st), P_CONFLICT_FACTS, &a, sum, 1);
}

/* Calls fn with the rows of (what, id, at, v) of statement id, one at a
 * time as they arrive (single-row mode: a scan of every conflict ticket
 * and fact at a million tickets never sits whole in memory). */
static int scan_rows(struct pg *p, enum pid id, const struct args *a,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v), void *ctx)
{
    char name[16];
    int rc = pg__ready(p, id, name);
    if (rc)
        return rc;
    if (!PQsendQueryPrepared(p->conn, name, a->n, a->v, NULL, NULL, 0))
        return pg__fail(p, NULL);
    PQsetSingleRowMode(p->conn);
    PGresult *r;
    while ((r = PQgetResult(p->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_SINGLE_TUPLE && rc == 0)
            rc = fn(ctx, (int)col_i64(r, 0, 0), col_i64(r, 0, 1), col_i64(r, 0, 2),
                    col_i64(r, 0, 3));
        if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK) {
            int err = pg__fail(p, r);   /* clears r */
            rc = rc ? rc : err;
            continue;
        }
        PQclear(r);
    }
    return rc;
}

int pg__conflict_scan(struct store *st, int kind,
                      int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                      void *ctx)
{
    struct args a = {0};
    a_i64(&a, kind);
    return scan_rows(PG(st), P_CONFLICT_SCAN, &a, fn, ctx);
}

int pg__ticket_facts(struct store *st, int kind, int64_t ticket_id,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                     void *ctx)
{
    struct args a = {0};
    a_i64(&a, kind);
    a_i64(&a, ticket_id);
    return scan_rows(PG(st), P_TICKET_FACTS, &a, fn, ctx);
}
