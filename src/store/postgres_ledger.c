/* postgres_ledger.c — the PostgreSQL backend's witnesses of the
 * tamper-evident log and their cosignatures of checkpoints (migration 6),
 * and dispute panels (migration 7). */
#include "store/postgres_internal.h"
#include "store/ledger_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int pg__witness_insert(struct store *st, struct witness *w)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    if (!w->created_at)
        w->created_at = clock_now_ms();
    a_str(&a, w->name);
    a_str(&a, w->vkey);
    a_i64(&a, w->created_at);
    PGresult *r = pg__exec(p, P_WIT_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 1) {
        w->id = col_i64(r, 0, 0);
    } else {
        pg__set_err(p, "a witness of that name exists");
        rc = PL_EEXISTS;
    }
    PQclear(r);
    return rc;
}

int pg__witness_list(struct store *st, struct witness **out, size_t *n)
{
    struct args a = {0};
    int rc;
    *out = NULL;
    *n = 0;
    PGresult *r = pg__exec(PG(st), P_WIT_LIST, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0)
        *out = xcalloc((size_t)rows, sizeof **out);
    for (int i = 0; i < rows; i++) {
        struct witness *w = &(*out)[i];
        w->id = col_i64(r, i, 0);
        w->name = col_str(r, i, 1);
        w->vkey = col_str(r, i, 2);
        w->created_at = col_i64(r, i, 3);
    }
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

int pg__cosig_insert(struct store *st, int64_t size, const char *witness, const char *line,
                     int64_t created_at)
{
    struct args a = {0};
    int rc;
    a_i64(&a, size);
    a_str(&a, witness);
    a_str(&a, line);
    a_i64(&a, created_at ? created_at : clock_now_ms());
    PGresult *r = pg__exec(PG(st), P_COSIG_INSERT, &a, &rc);
    if (r)
        PQclear(r);
    return rc;
}

int pg__cosig_lines(struct store *st, int64_t size, char **lines)
{
    struct args a = {0};
    int rc;
    *lines = NULL;
    a_i64(&a, size);
    PGresult *r = pg__exec(PG(st), P_COSIG_LINES, &a, &rc);
    if (!r)
        return rc;
    struct buf b = BUF_INIT;
    for (int i = 0; i < PQntuples(r); i++)
        buf_puts(&b, PQgetvalue(r, i, 0));
    PQclear(r);
    *lines = buf_detach(&b, NULL);
    return 0;
}

int pg__cosig_latest(struct store *st, int64_t *size)
{
    struct args a = {0};
    int rc;
    PGresult *r = pg__exec(PG(st), P_COSIG_LATEST, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
        rc = PL_ENOTFOUND;
    else
        *size = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

/* ---- dispute panels ---------------------------------------------------------- */

static void read_dispute(PGresult *r, int row, struct dispute *d)
{
    memset(d, 0, sizeof *d);
    d->id = col_i64(r, row, 0);
    d->ticket_id = col_i64(r, row, 1);
    d->question = col_str(r, row, 2);
    d->quorum = col_int(r, row, 3);
    d->status = col_str(r, row, 4);
    d->decision = col_str(r, row, 5);
    d->created_by = col_i64(r, row, 6);
    d->created_at = col_i64(r, row, 7);
    d->decided_at = col_i64(r, row, 8);
    d->decision_event_id = col_i64(r, row, 9);
}

int pg__dispute_insert(struct store *st, struct dispute *d)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    if (!d->created_at)
        d->created_at = clock_now_ms();
    a_i64(&a, d->ticket_id);
    a_str(&a, d->question);
    a_i64(&a, d->quorum);
    a_str(&a, d->status);
    a_str(&a, d->decision);
    a_i64(&a, d->created_by);
    a_i64(&a, d->created_at);
    a_i64(&a, d->decided_at);
    a_i64(&a, d->decision_event_id);
    PGresult *r = pg__exec(p, P_DISPUTE_INSERT, &a, &rc);
    if (!r)
        return rc;
    d->id = col_i64(r, 0, 0);
    PQclear(r);
    for (size_t i = 0; i < d->nreviewers; i++) {
        struct args b = {0};
        a_i64(&b, d->id);
        a_i64(&b, d->reviewers[i]);
        if (!(r = pg__exec(p, P_DISPUTE_REVIEWER, &b, &rc)))
            return rc;
        PQclear(r);
    }
    return 0;
}

static int dispute_members(struct pg *p, struct dispute *d)
{
    struct args a = {0};
    int rc;
    a_i64(&a, d->id);
    PGresult *r = pg__exec(p, P_DISPUTE_REVIEWERS, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    d->reviewers = xcalloc(rows ? (size_t)rows : 1, sizeof *d->reviewers);
    for (int i = 0; i < rows; i++)
        d->reviewers[i] = col_i64(r, i, 0);
    d->nreviewers = (size_t)rows;
    PQclear(r);
    if (!(r = pg__exec(p, P_DISPUTE_VOTES, &a, &rc)))
        return rc;
    rows = PQntuples(r);
    d->votes = xcalloc(rows ? (size_t)rows : 1, sizeof *d->votes);
    for (int i = 0; i < rows; i++) {
        struct dispute_vote *x = &d->votes[i];
        x->user_id = col_i64(r, i, 0);
        x->decision = col_str(r, i, 1);
        x->reason = col_str(r, i, 2);
        x->event_id = col_i64(r, i, 3);
        x->created_at = col_i64(r, i, 4);
    }
    d->nvotes = (size_t)rows;
    PQclear(r);
    return 0;
}

int pg__dispute_get(struct store *st, int64_t id, struct dispute *out)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, id);
    PGresult *r = pg__exec(p, P_DISPUTE_GET, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return PL_ENOTFOUND;
    }
    read_dispute(r, 0, out);
    PQclear(r);
    if ((rc = dispute_members(p, out)))
        dispute_clear(out);
    return rc;
}

int pg__dispute_update(struct store *st, const struct dispute *d)
{
    struct args a = {0};
    int rc;
    a_i64(&a, d->id);
    a_str(&a, d->status);
    a_str(&a, d->decision);
    a_i64(&a, d->decided_at);
    a_i64(&a, d->decision_event_id);
    PGresult *r = pg__exec(PG(st), P_DISPUTE_UPDATE, &a, &rc);
    if (!r)
        return rc;
    if (atoi(PQcmdTuples(r)) == 0)
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

int pg__dispute_vote_insert(struct store *st, int64_t dispute_id, const struct dispute_vote *v)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, dispute_id);
    a_i64(&a, v->user_id);
    a_str(&a, v->decision);
    a_str(&a, v->reason);
    a_i64(&a, v->event_id);
    a_i64(&a, v->created_at ? v->created_at : clock_now_ms());
    PGresult *r = pg__exec(p, P_VOTE_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 0) {
        pg__set_err(p, "that reviewer already voted");
        rc = PL_EEXISTS;
    }
    PQclear(r);
    return rc;
}

int pg__dispute_list(struct store *st, const char *status, int limit, struct dispute **out,
                     size_t *n)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    *out = NULL;
    *n = 0;
    a_str(&a, status);
    a_i64(&a, limit >= 1 && limit <= DISPUTE_LIST_MAX ? limit : DISPUTE_LIST_MAX);
    PGresult *r = pg__exec(p, P_DISPUTE_LIST, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    struct dispute *v = xcalloc(rows ? (size_t)rows : 1, sizeof *v);
    for (int i = 0; i < rows; i++)
        read_dispute(r, i, &v[i]);
    PQclear(r);
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = dispute_members(p, &v[i]);
    if (rc) {
        store_free_disputes(v, (size_t)rows);
        return rc;
    }
    *out = v;
    *n = (size_t)rows;
    return 0;
}
