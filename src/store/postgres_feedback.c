/* postgres_feedback.c — PostgreSQL: CSAT surveys, alerts, and the
 * negative inbound messages the complaint-spike baseline is rebuilt from. */
#include "store/postgres_internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

static void a_dbl(struct args *a, double x)
{
    assert(a->n < PG_MAXPARAMS);
    snprintf(a->num[a->n], sizeof a->num[0], "%.17g", x);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

static double col_dbl(PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0.0 : strtod(PQgetvalue(r, row, i), NULL);
}

static void read_survey(PGresult *r, int row, struct survey *s)
{
    memset(s, 0, sizeof *s);
    s->id = col_i64(r, row, 0);
    s->token_hash = col_str(r, row, 1);
    s->ticket_id = col_i64(r, row, 2);
    s->customer_id = col_i64(r, row, 3);
    s->created_at = col_i64(r, row, 4);
    s->answered_at = col_i64(r, row, 5);
    s->score = col_int(r, row, 6);
    s->nps = col_int(r, row, 7);
    s->comment = col_str(r, row, 8);
    s->analysis = col_str(r, row, 9);
}

static void read_alert(PGresult *r, int row, struct alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = col_i64(r, row, 0);
    a->kind = col_str(r, row, 1);
    a->category = col_str(r, row, 2);
    a->metric = col_str(r, row, 3);
    a->size = col_dbl(r, row, 4);
    a->expected = col_dbl(r, row, 5);
    a->observed = col_dbl(r, row, 6);
    a->ticket_ids = col_str(r, row, 7);
    a->detail = col_str(r, row, 8);
    a->created_at = col_i64(r, row, 9);
    a->acknowledged_by = col_i64(r, row, 10);
    a->acknowledged_at = col_i64(r, row, 11);
}

int pg__survey_insert(struct store *st, struct survey *s)
{
    struct args a = {0};
    if (!s->created_at)
        s->created_at = clock_now_ms();
    a_str(&a, s->token_hash);
    a_i64(&a, s->ticket_id);
    a_i64(&a, s->customer_id);
    a_i64(&a, s->created_at);
    return pg__int64(PG(st), P_SURVEY_INSERT, &a, &s->id, PL_EDB);
}

int pg__survey_find(struct store *st, const char *token_hash, struct survey *out)
{
    struct args a = {0};
    int rc;
    a_str(&a, token_hash);
    PGresult *r = pg__exec(PG(st), P_SURVEY_FIND, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        read_survey(r, 0, out);
    else
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

/* Whether row id of statement `exists` is there: 0, PL_ENOTFOUND or an error. */
static int exists(struct pg *p, enum pid id, int64_t row)
{
    struct args a = {0};
    int rc;
    a_i64(&a, row);
    PGresult *r = pg__exec(p, id, &a, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) > 0 ? 0 : PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

int pg__survey_answer(struct store *st, const struct survey *s)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int changed = 0;
    a_i64(&a, s->id);
    a_i64(&a, s->answered_at);
    a_i64(&a, s->score);
    a_i64(&a, s->nps);
    a_str(&a, s->comment);
    a_str(&a, s->analysis);
    int rc = pg__changed(p, P_SURVEY_ANSWER, &a, &changed);
    if (rc || changed)
        return rc;
    rc = exists(p, P_SURVEY_EXISTS, s->id);
    return rc ? rc : PL_ESTATE;
}

int pg__alert_insert(struct store *st, struct alert *al)
{
    struct args a = {0};
    if (!al->created_at)
        al->created_at = clock_now_ms();
    a_str(&a, al->kind);
    a_str(&a, al->category);
    a_str(&a, al->metric);
    a_dbl(&a, al->size);
    a_dbl(&a, al->expected);
    a_dbl(&a, al->observed);
    a_str(&a, al->ticket_ids ? al->ticket_ids : "[]");
    a_str(&a, al->detail);
    a_i64(&a, al->created_at);
    return pg__int64(PG(st), P_ALERT_INSERT, &a, &al->id, PL_EDB);
}

static int alert_rows(struct pg *p, enum pid id, const struct args *a, struct alert **out,
                      size_t *n)
{
    int rc;
    *out = NULL;
    *n = 0;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0) {
        *out = xcalloc((size_t)rows, sizeof **out);
        for (int i = 0; i < rows; i++)
            read_alert(r, i, &(*out)[i]);
    }
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

int pg__alert_get(struct store *st, int64_t id, struct alert *out)
{
    struct args a = {0};
    struct alert *v;
    size_t n;
    a_i64(&a, id);
    int rc = alert_rows(PG(st), P_ALERT_GET, &a, &v, &n);
    if (rc)
        return rc;
    if (n == 0)
        return PL_ENOTFOUND;
    *out = v[0];
    free(v);
    return 0;
}

int pg__alert_list(struct store *st, int open_only, int limit, struct alert **out, size_t *n)
{
    struct args a = {0};
    a_i64(&a, open_only ? 1 : 0);
    a_i64(&a, limit >= 1 && limit <= 500 ? limit : 100);
    return alert_rows(PG(st), P_ALERT_LIST, &a, out, n);
}

int pg__alert_ack(struct store *st, int64_t id, int64_t user_id, int64_t at)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int changed = 0;
    a_i64(&a, id);
    a_i64(&a, user_id);
    a_i64(&a, at);
    int rc = pg__changed(p, P_ALERT_ACK, &a, &changed);
    if (rc || changed)
        return rc;
    struct alert old;
    rc = pg__alert_get(st, id, &old);
    alert_clear(&old);
    return rc;
}

int pg__negative_scan(struct store *st, int64_t since, double below,
                      int (*fn)(void *ctx, int64_t at, int64_t ticket_id, const char *category),
                      void *ctx)
{
    struct args a = {0};
    int rc;
    a_i64(&a, since);
    a_dbl(&a, below);
    PGresult *r = pg__exec(PG(st), P_NEGATIVE_SCAN, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    for (int i = 0; i < rows && rc == 0; i++)
        rc = fn(ctx, col_i64(r, i, 0), col_i64(r, i, 1),
                PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2));
    PQclear(r);
    return rc;
}
