/* sqlite_search.c — the SQLite backend's knowledge base, canned responses, ticket search
 * and chats. Full text by FTS5 (unicode61 remove_diacritics 2) on
 * external-content tables kept in step with their rows inside the writing
 * transaction: by triggers for updates (migration 4), at COMMIT for new
 * messages, tickets and customers (sqlite_fts.c). */
#include "store/sqlite_internal.h"
#include "store/search_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void read_kb(sqlite3_stmt *q, struct kb_article *a)
{
    memset(a, 0, sizeof *a);
    a->id = col_i64(q, 0);
    a->language = col_str(q, 1);
    a->title = col_str(q, 2);
    a->category = col_str(q, 3);
    a->body = col_str(q, 4);
    a->created_at = col_i64(q, 5);
    a->updated_at = col_i64(q, 6);
}

static int read_kb_all(struct sq *s, sqlite3_stmt *q, int scored, struct kb_article **out,
                       size_t *n)
{
    struct kb_article *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
        }
        read_kb(q, &v[len]);
        if (scored)
            v[len].score = sqlite3_column_double(q, 7);
        len++;
    }
    done(q);
    if (rc < 0) {
        store_free_kb_articles(v, len);
        *out = NULL;
        *n = 0;
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

static void bind_kb(sqlite3_stmt *q, const struct kb_article *a)
{
    bind_i64(q, 1, a->id);
    bind_text(q, 2, a->language);
    bind_text(q, 3, a->title);
    bind_text(q, 4, a->category);
    bind_text(q, 5, a->body);
    bind_i64(q, 6, a->created_at);
    bind_i64(q, 7, a->updated_at);
}

int sq__kb_insert(struct store *st, struct kb_article *a)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KB_INSERT);
    if (!a->created_at)
        a->created_at = clock_now_ms();
    if (!a->updated_at)
        a->updated_at = a->created_at;
    bind_kb(q, a);
    return sq__insert(s, q, &a->id);
}

int sq__kb_update(struct store *st, const struct kb_article *a)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KB_UPDATE);
    bind_kb(q, a);
    return sq__write_one(s, q);
}

int sq__kb_get(struct store *st, int64_t id, struct kb_article *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KB_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_kb(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__kb_list(struct store *st, const char *language, struct kb_article **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KB_LIST);
    bind_text(q, 1, language);
    return read_kb_all(s, q, 0, out, n);
}

int sq__kb_search(struct store *st, const char *query, const char *language, int limit,
                  struct kb_article **out, size_t *n)
{
    struct sq *s = SQ(st);
    *out = NULL;
    *n = 0;
    char *m = store__query_words(query, STORE_Q_FTS5, 1);
    if (!m)
        return 0;
    sqlite3_stmt *q = sq__stmt(s, S_KB_SEARCH);
    if (!q) {
        free(m);
        return PL_EDB;
    }
    bind_text(q, 1, m);
    bind_text(q, 2, language);
    bind_i64(q, 3, limit > 0 && limit <= STORE_SEARCH_MAX ? limit : 10);
    int rc = read_kb_all(s, q, 1, out, n);
    free(m);
    return rc;
}

/* Runs one search statement (ticket id, text, score) into the hit set. */
static int hits_from(struct sq *s, enum sid id, const char *m, int limit, struct search_hit **v,
                     size_t *n, size_t *cap)
{
    STMT_OR_FAIL(q, s, id);
    bind_text(q, 1, m);
    bind_i64(q, 2, limit);
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        const unsigned char *t = sqlite3_column_text(q, 1);
        store__hits_add(v, n, cap, col_i64(q, 0), (const char *)t, sqlite3_column_double(q, 2));
    }
    done(q);
    return rc < 0 ? rc : 0;
}

int sq__ticket_search(struct store *st, const char *query, int limit, struct search_hit **out,
                      size_t *n)
{
    struct sq *s = SQ(st);
    struct search_hit *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (limit <= 0 || limit > STORE_SEARCH_MAX)
        limit = 20;
    char *m = store__query_words(query, STORE_Q_FTS5, 0);
    if (!m)
        return 0;
    int rc = hits_from(s, S_SEARCH_MSG, m, limit * STORE_SEARCH_MSG_PER_HIT, &v, &len,
                       &cap);
    if (!rc)
        rc = hits_from(s, S_SEARCH_TICKET, m, limit, &v, &len, &cap);
    if (!rc)
        rc = hits_from(s, S_SEARCH_CUSTOMER, m, limit, &v, &len, &cap);
    free(m);
    if (rc) {
        store_free_search_hits(v, len);
        return rc;
    }
    store__hits_finish(v, &len, limit);
    *out = v;
    *n = len;
    return 0;
}

static void read_chat(sqlite3_stmt *q, struct chat *c)
{
    memset(c, 0, sizeof *c);
    c->id = col_i64(q, 0);
    c->token_hash = col_str(q, 1);
    c->customer_id = col_i64(q, 2);
    c->ticket_id = col_i64(q, 3);
    c->language = col_str(q, 4);
    c->handoff = col_int(q, 5);
    c->created_at = col_i64(q, 6);
}

int sq__chat_insert(struct store *st, struct chat *c)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CHAT_INSERT);
    if (!c->created_at)
        c->created_at = clock_now_ms();
    bind_text(q, 1, c->token_hash);
    bind_i64(q, 2, c->customer_id);
    bind_i64(q, 3, c->ticket_id);
    bind_text(q, 4, c->language);
    bind_i64(q, 5, c->handoff);
    bind_i64(q, 6, c->created_at);
    return sq__insert(s, q, &c->id);
}

int sq__chat_get(struct store *st, int64_t id, struct chat *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CHAT_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_chat(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__chat_update(struct store *st, const struct chat *c)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CHAT_UPDATE);
    bind_i64(q, 1, c->id);
    bind_i64(q, 2, c->customer_id);
    bind_i64(q, 3, c->ticket_id);
    bind_i64(q, 4, c->handoff);
    return sq__write_one(s, q);
}

/* ---- canned responses ------------------------------------------------- */

static void read_canned(sqlite3_stmt *q, struct canned_response *c)
{
    memset(c, 0, sizeof *c);
    c->id = col_i64(q, 0);
    c->language = col_str(q, 1);
    c->title = col_str(q, 2);
    c->body = col_str(q, 3);
    c->emotion = col_str(q, 4);
    c->category = col_str(q, 5);
    c->created_at = col_i64(q, 6);
    c->updated_at = col_i64(q, 7);
}

static void bind_canned(sqlite3_stmt *q, const struct canned_response *c)
{
    bind_i64(q, 1, c->id);
    bind_text(q, 2, c->language);
    bind_text(q, 3, c->title);
    bind_text(q, 4, c->body);
    bind_text(q, 5, c->emotion);
    bind_text(q, 6, c->category);
    bind_i64(q, 7, c->created_at);
    bind_i64(q, 8, c->updated_at);
}

int sq__canned_insert(struct store *st, struct canned_response *c)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CANNED_INSERT);
    if (!c->created_at)
        c->created_at = clock_now_ms();
    if (!c->updated_at)
        c->updated_at = c->created_at;
    bind_canned(q, c);
    return sq__insert(s, q, &c->id);
}

int sq__canned_update(struct store *st, const struct canned_response *c)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CANNED_UPDATE);
    bind_canned(q, c);
    return sq__write_one(s, q);
}

int sq__canned_delete(struct store *st, int64_t id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CANNED_DELETE);
    bind_i64(q, 1, id);
    return sq__write_one(s, q);
}

int sq__canned_get(struct store *st, int64_t id, struct canned_response *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CANNED_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_canned(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__canned_list(struct store *st, const char *language, struct canned_response **out,
                    size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CANNED_LIST);
    bind_text(q, 1, language);
    struct canned_response *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
        }
        read_canned(q, &v[len++]);
    }
    done(q);
    if (rc < 0) {
        store_free_canned(v, len);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc < 0 ? rc : 0;
}
