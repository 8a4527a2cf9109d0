/* postgres_ledger.c — the PostgreSQL backend's witnesses of the
 * tamper-evident log and their cosignatures of checkpoints (migration 6). */
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
