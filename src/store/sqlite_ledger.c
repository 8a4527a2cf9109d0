/* sqlite_ledger.c — the SQLite backend's witnesses of the tamper-evident
 * log and their cosignatures of checkpoints (migration 6). */
#include "store/sqlite_internal.h"
#include "store/ledger_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int sq__witness_insert(struct store *st, struct witness *w)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_WIT_INSERT);
    if (!w->created_at)
        w->created_at = clock_now_ms();
    bind_text(q, 1, w->name);
    bind_text(q, 2, w->vkey);
    bind_i64(q, 3, w->created_at);
    int rc = sq__run(s, q);
    if (rc == 0)
        w->id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int sq__witness_list(struct store *st, struct witness **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_WIT_LIST);
    struct witness *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[len].id = col_i64(q, 0);
        v[len].name = col_str(q, 1);
        v[len].vkey = col_str(q, 2);
        v[len].created_at = col_i64(q, 3);
        len++;
    }
    done(q);
    if (rc < 0) {
        store_free_witnesses(v, len);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc < 0 ? rc : 0;
}

int sq__cosig_insert(struct store *st, int64_t size, const char *witness, const char *line,
                     int64_t created_at)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_COSIG_INSERT);
    bind_i64(q, 1, size);
    bind_text(q, 2, witness);
    bind_text(q, 3, line);
    bind_i64(q, 4, created_at ? created_at : clock_now_ms());
    return sq__run(s, q);
}

int sq__cosig_lines(struct store *st, int64_t size, char **lines)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_COSIG_LINES);
    struct buf b = BUF_INIT;
    int rc;
    bind_i64(q, 1, size);
    while ((rc = sq__next(s, q)) == 1) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (t)
            buf_puts(&b, (const char *)t);
    }
    done(q);
    if (rc < 0) {
        buf_release(&b);
        *lines = NULL;
        return rc;
    }
    *lines = buf_detach(&b, NULL);
    return 0;
}

int sq__cosig_latest(struct store *st, int64_t *size)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_COSIG_LATEST);
    int rc = sq__next(s, q);
    if (rc == 1) {
        rc = sqlite3_column_type(q, 0) == SQLITE_NULL ? PL_ENOTFOUND : 0;
        *size = col_i64(q, 0);
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}
