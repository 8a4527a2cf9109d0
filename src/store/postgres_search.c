/* postgres_search.c — the PostgreSQL backend's knowledge base, canned responses, ticket
 * search and chats. Full text by tsvector: articles carry a generated
 * column built with the configuration of their language (russian /
 * english), messages, subjects and customer names have GIN expression
 * indexes on to_tsvector('russian', ...) — the russian configuration
 * stems Cyrillic words with the Russian Snowball stemmer and Latin words
 * with the English one (migration 4). */
#include "store/postgres_internal.h"
#include "store/search_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void read_kb(PGresult *r, int row, struct kb_article *a)
{
    memset(a, 0, sizeof *a);
    a->id = col_i64(r, row, 0);
    a->language = col_str(r, row, 1);
    a->title = col_str(r, row, 2);
    a->category = col_str(r, row, 3);
    a->body = col_str(r, row, 4);
    a->created_at = col_i64(r, row, 5);
    a->updated_at = col_i64(r, row, 6);
}

static int kb_rows(struct pg *p, enum pid id, const struct args *a, int scored,
                   struct kb_article **out, size_t *n)
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
        for (int i = 0; i < rows; i++) {
            read_kb(r, i, &(*out)[i]);
            if (scored)
                (*out)[i].score = strtod(PQgetvalue(r, i, 7), NULL);
        }
    }
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

static void args_kb(struct args *a, const struct kb_article *k)
{
    a_str(a, k->language);
    a_str(a, k->title);
    a_str(a, k->category);
    a_str(a, k->body);
    a_i64(a, k->created_at);
    a_i64(a, k->updated_at);
}

int pg__kb_insert(struct store *st, struct kb_article *k)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    if (!k->created_at)
        k->created_at = clock_now_ms();
    if (!k->updated_at)
        k->updated_at = k->created_at;
    args_kb(&a, k);
    PGresult *r = pg__exec(p, P_KB_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        k->id = col_i64(r, 0, 0);
    else
        rc = PL_EDB;
    PQclear(r);
    return rc;
}

int pg__kb_update(struct store *st, const struct kb_article *k)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, k->id);
    a_str(&a, k->language);
    a_str(&a, k->title);
    a_str(&a, k->category);
    a_str(&a, k->body);
    a_i64(&a, k->updated_at);
    PGresult *r = pg__exec(p, P_KB_UPDATE, &a, &rc);
    if (!r)
        return rc;
    if (atoi(PQcmdTuples(r)) == 0)
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

int pg__kb_get(struct store *st, int64_t id, struct kb_article *out)
{
    struct args a = {0};
    struct kb_article *v;
    size_t n;
    a_i64(&a, id);
    int rc = kb_rows(PG(st), P_KB_GET, &a, 0, &v, &n);
    if (rc)
        return rc;
    if (!n)
        return PL_ENOTFOUND;
    *out = v[0];
    free(v);
    return 0;
}

int pg__kb_list(struct store *st, const char *language, struct kb_article **out, size_t *n)
{
    struct args a = {0};
    a_str(&a, language);
    return kb_rows(PG(st), P_KB_LIST, &a, 0, out, n);
}

int pg__kb_search(struct store *st, const char *query, const char *language, int limit,
                  struct kb_article **out, size_t *n)
{
    struct args a = {0};
    *out = NULL;
    *n = 0;
    char *q = store__query_words(query, STORE_Q_TSQUERY, 1);
    if (!q)
        return 0;
    a_str(&a, q);
    a_str(&a, language);
    a_i64(&a, limit > 0 && limit <= STORE_SEARCH_MAX ? limit : 10);
    int rc = kb_rows(PG(st), P_KB_SEARCH, &a, 1, out, n);
    free(q);
    return rc;
}

/* Rows in the first step of a search of messages or tickets (postgres_internal.h,
 * PG_SEARCH_NEWEST): enough for a common word to fill the limit, few enough
 * that reading them all costs milliseconds. */
#define SEARCH_NEWEST_ROWS 10000

/* Hits of statement id for q, its $3, $4... the nb bounds. */
static int hits_from(struct pg *p, enum pid id, const char *q, int limit, const int64_t *bound,
                     int nb, struct search_hit **v, size_t *n, size_t *cap)
{
    struct args a = {0};
    int rc;
    a_str(&a, q);
    a_i64(&a, limit);
    for (int i = 0; i < nb; i++)
        a_i64(&a, bound[i]);
    PGresult *r = pg__exec(p, id, &a, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++)
        store__hits_add(v, n, cap, col_i64(r, i, 0),
                        PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
                        strtod(PQgetvalue(r, i, 2), NULL));
    PQclear(r);
    return 0;
}

/* The newest matches of q in a table: among its newest rows, then, while
 * they are too few, among older ones, range after range (PG_SEARCH_NEWEST). */
static int newest_hits(struct pg *p, enum pid last, enum pid newest, enum pid older,
                       const char *q, int limit, struct search_hit **v, size_t *n, size_t *cap)
{
    int64_t top = 0;
    size_t had = *n;
    int rc = pg__int64(p, last, &(struct args){0}, &top, 0);
    int64_t b[2] = {top > SEARCH_NEWEST_ROWS ? top - SEARCH_NEWEST_ROWS : 0, 0};
    if (!rc)
        rc = hits_from(p, newest, q, limit, b, 1, v, n, cap);
    for (int64_t span = 4 * SEARCH_NEWEST_ROWS; !rc && b[0] > 0 && *n - had < (size_t)limit;
         span *= 4) {
        b[1] = b[0] > span ? b[0] - span : 0;
        rc = hits_from(p, older, q, limit - (int)(*n - had), b, 2, v, n, cap);
        b[0] = b[1];
    }
    return rc;
}

int pg__ticket_search(struct store *st, const char *query, int limit, struct search_hit **out,
                      size_t *n)
{
    struct pg *p = PG(st);
    struct search_hit *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (limit <= 0 || limit > STORE_SEARCH_MAX)
        limit = 20;
    char *q = store__query_words(query, STORE_Q_TSQUERY, 0);
    if (!q)
        return 0;
    int rc = newest_hits(p, P_MSG_LAST, P_SEARCH_MSG_NEW, P_SEARCH_MSG_OLD, q,
                         limit * STORE_SEARCH_MSG_PER_HIT, &v, &len, &cap);
    if (!rc)
        rc = newest_hits(p, P_TICKET_LAST, P_SEARCH_TICKET_NEW, P_SEARCH_TICKET_OLD, q, limit,
                         &v, &len, &cap);
    if (!rc)
        rc = hits_from(p, P_SEARCH_CUSTOMER, q, limit, NULL, 0, &v, &len, &cap);
    free(q);
    if (rc) {
        store_free_search_hits(v, len);
        return rc;
    }
    store__hits_finish(v, &len, limit);
    *out = v;
    *n = len;
    return 0;
}

static void read_chat(PGresult *r, int row, struct chat *c)
{
    memset(c, 0, sizeof *c);
    c->id = col_i64(r, row, 0);
    c->token_hash = col_str(r, row, 1);
    c->customer_id = col_i64(r, row, 2);
    c->ticket_id = col_i64(r, row, 3);
    c->language = col_str(r, row, 4);
    c->handoff = col_int(r, row, 5);
    c->created_at = col_i64(r, row, 6);
}

int pg__chat_insert(struct store *st, struct chat *c)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    if (!c->created_at)
        c->created_at = clock_now_ms();
    a_str(&a, c->token_hash);
    a_i64(&a, c->customer_id);
    a_i64(&a, c->ticket_id);
    a_str(&a, c->language);
    a_i64(&a, c->handoff);
    a_i64(&a, c->created_at);
    PGresult *r = pg__exec(p, P_CHAT_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        c->id = col_i64(r, 0, 0);
    else
        rc = PL_EEXISTS;
    PQclear(r);
    return rc;
}

int pg__chat_get(struct store *st, int64_t id, struct chat *out)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, id);
    PGresult *r = pg__exec(p, P_CHAT_GET, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        read_chat(r, 0, out);
    else
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

int pg__chat_update(struct store *st, const struct chat *c)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, c->id);
    a_i64(&a, c->customer_id);
    a_i64(&a, c->ticket_id);
    a_i64(&a, c->handoff);
    PGresult *r = pg__exec(p, P_CHAT_UPDATE, &a, &rc);
    if (!r)
        return rc;
    if (atoi(PQcmdTuples(r)) == 0)
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

/* ---- canned responses ------------------------------------------------- */

static int canned_rows(struct pg *p, enum pid id, const struct args *a,
                       struct canned_response **out, size_t *n)
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
        for (int i = 0; i < rows; i++) {
            struct canned_response *c = &(*out)[i];
            c->id = col_i64(r, i, 0);
            c->language = col_str(r, i, 1);
            c->title = col_str(r, i, 2);
            c->body = col_str(r, i, 3);
            c->emotion = col_str(r, i, 4);
            c->category = col_str(r, i, 5);
            c->created_at = col_i64(r, i, 6);
            c->updated_at = col_i64(r, i, 7);
        }
    }
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

int pg__canned_insert(struct store *st, struct canned_response *c)
{
    struct args a = {0};
    int rc;
    if (!c->created_at)
        c->created_at = clock_now_ms();
    if (!c->updated_at)
        c->updated_at = c->created_at;
    a_str(&a, c->language);
    a_str(&a, c->title);
    a_str(&a, c->body);
    a_str(&a, c->emotion);
    a_str(&a, c->category);
    a_i64(&a, c->created_at);
    a_i64(&a, c->updated_at);
    PGresult *r = pg__exec(PG(st), P_CANNED_INSERT, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        c->id = col_i64(r, 0, 0);
    else
        rc = PL_EDB;
    PQclear(r);
    return rc;
}

int pg__canned_update(struct store *st, const struct canned_response *c)
{
    struct args a = {0};
    a_i64(&a, c->id);
    a_str(&a, c->language);
    a_str(&a, c->title);
    a_str(&a, c->body);
    a_str(&a, c->emotion);
    a_str(&a, c->category);
    a_i64(&a, c->updated_at);
    return pg__one_row(PG(st), P_CANNED_UPDATE, &a);
}

int pg__canned_delete(struct store *st, int64_t id)
{
    struct args a = {0};
    a_i64(&a, id);
    return pg__one_row(PG(st), P_CANNED_DELETE, &a);
}

int pg__canned_get(struct store *st, int64_t id, struct canned_response *out)
{
    struct args a = {0};
    struct canned_response *v;
    size_t n;
    a_i64(&a, id);
    int rc = canned_rows(PG(st), P_CANNED_GET, &a, &v, &n);
    if (rc)
        return rc;
    if (!n)
        return PL_ENOTFOUND;
    *out = v[0];
    free(v);
    return 0;
}

int pg__canned_list(struct store *st, const char *language, struct canned_response **out,
                    size_t *n)
{
    struct args a = {0};
    a_str(&a, language);
    return canned_rows(PG(st), P_CANNED_LIST, &a, out, n);
}
