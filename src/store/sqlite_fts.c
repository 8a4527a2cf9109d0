/* sqlite_fts.c — full-text entries of new messages, tickets and customers,
 * made at the COMMIT of the transaction that inserted them.
 *
 * FTS5 writes its pending terms out as a new segment at every savepoint of
 * every full-text table taking part in the transaction, and SQLite opens one
 * around each statement that may need undoing (any with a trigger) and each
 * job of the desk's group commit. With insert triggers the tables joined the
 * transaction at its first message, so nearly every later statement flushed
 * a tiny segment, and merging them back cost about a fifth of the writer's
 * time. Now the new rows' ids are remembered and their entries written just
 * before COMMIT: same transaction, one segment per batch (migration 15
 * dropped the insert triggers; the update and delete ones remain).
 *
 * Correctness rests on three rules: the entry is made from the row as it
 * stands at COMMIT (a row rolled back to a savepoint is skipped, an id
 * reused after it is indexed once); a row whose indexed text an UPDATE is
 * about to change gets its entry first, so the update trigger's 'delete'
 * finds it (sq__fts_before_update); and outside a transaction the entry is
 * made at once. */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const enum sid add_stmt[FTS__COUNT] = {S_FTS_ADD_MESSAGE, S_FTS_ADD_TICKET,
                                              S_FTS_ADD_CUSTOMER};
static const enum sid text_stmt[FTS__COUNT] = {S_FTS_TEXT_MESSAGE, S_FTS_TEXT_TICKET,
                                               S_FTS_TEXT_CUSTOMER};

/* Writes the entry of row id from its current text; a row that is gone
 * (rolled back) has none. */
static int index_row(struct sq *s, enum fts_table t, int64_t id)
{
    STMT_OR_FAIL(get, s, text_stmt[t]);
    bind_i64(get, 1, id);
    int rc = sq__next(s, get);
    if (rc != 1) {
        done(get);
        return rc;
    }
    STMT_OR_FAIL(add, s, add_stmt[t]);
    bind_i64(add, 1, id);
    sqlite3_bind_value(add, 2, sqlite3_column_value(get, 0));
    rc = sq__run(s, add);
    done(get);
    return rc;
}

int sq__fts_added(struct sq *s, enum fts_table t, int64_t id)
{
    if (sqlite3_get_autocommit(s->db))
        return index_row(s, t, id);
    struct fts_pending *p = &s->fts[t];
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->ids = xrealloc(p->ids, p->cap * sizeof *p->ids);
    }
    p->ids[p->n++] = id;
    return 0;
}

static int waiting(const struct fts_pending *p, int64_t id)
{
    for (size_t i = p->n; i > 0; i--)
        if (p->ids[i - 1] == id)
            return 1;
    return 0;
}

static void drop(struct fts_pending *p, int64_t id)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->ids[i] != id)
            p->ids[k++] = p->ids[i];
    p->n = k;
}

int sq__fts_before_update(struct sq *s, enum fts_table t, int64_t id, const char *text)
{
    if (!waiting(&s->fts[t], id))
        return 0;
    /* Unchanged text: the trigger will not fire, the entry can wait. */
    STMT_OR_FAIL(get, s, text_stmt[t]);
    bind_i64(get, 1, id);
    int rc = sq__next(s, get);
    int same = 0;
    if (rc == 1) {
        const char *now = (const char *)sqlite3_column_text(get, 0);
        same = (!now && !text) || (now && text && strcmp(now, text) == 0);
    }
    done(get);
    if (rc < 0)
        return rc;
    if (same)
        return 0;
    drop(&s->fts[t], id);
    return index_row(s, t, id);
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int sq__fts_flush(struct sq *s)
{
    for (int t = 0; t < FTS__COUNT; t++) {
        struct fts_pending *p = &s->fts[t];
        if (p->n == 0)
            continue;
        qsort(p->ids, p->n, sizeof *p->ids, cmp_id);
        for (size_t i = 0; i < p->n; i++) {
            if (i > 0 && p->ids[i] == p->ids[i - 1])
                continue;
            int rc = index_row(s, (enum fts_table)t, p->ids[i]);
            if (rc)
                return rc;
        }
        p->n = 0;
    }
    return 0;
}

void sq__fts_forget(struct sq *s)
{
    for (int t = 0; t < FTS__COUNT; t++)
        s->fts[t].n = 0;
}
