/* sqlite_ledger.c — the SQLite backend's witnesses of the tamper-evident
 * log and their cosignatures of checkpoints (migration 6), and dispute
 * panels (migration 7). */
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
    return sq__insert(s, q, &w->id);
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

/* ---- dispute panels ---------------------------------------------------------- */

static void bind_dispute(sqlite3_stmt *q, const struct dispute *d)
{
    bind_i64(q, 1, d->id);
    bind_i64(q, 2, d->ticket_id);
    bind_text(q, 3, d->question);
    bind_i64(q, 4, d->quorum);
    bind_text(q, 5, d->status);
    bind_text(q, 6, d->decision);
    bind_i64(q, 7, d->created_by);
    bind_i64(q, 8, d->created_at);
    bind_i64(q, 9, d->decided_at);
    bind_i64(q, 10, d->decision_event_id);
}

static void read_dispute(sqlite3_stmt *q, struct dispute *d)
{
    memset(d, 0, sizeof *d);
    d->id = col_i64(q, 0);
    d->ticket_id = col_i64(q, 1);
    d->question = col_str(q, 2);
    d->quorum = col_int(q, 3);
    d->status = col_str(q, 4);
    d->decision = col_str(q, 5);
    d->created_by = col_i64(q, 6);
    d->created_at = col_i64(q, 7);
    d->decided_at = col_i64(q, 8);
    d->decision_event_id = col_i64(q, 9);
}

int sq__dispute_insert(struct store *st, struct dispute *d)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DISPUTE_INSERT);
    if (!d->created_at)
        d->created_at = clock_now_ms();
    bind_dispute(q, d);
    int rc = sq__run(s, q);
    if (rc)
        return rc;
    d->id = sqlite3_last_insert_rowid(s->db);
    STMT_OR_FAIL(r, s, S_DISPUTE_REVIEWER);
    for (size_t i = 0; rc == 0 && i < d->nreviewers; i++) {
        bind_i64(r, 1, d->id);
        bind_i64(r, 2, d->reviewers[i]);
        rc = sq__run(s, r);
    }
    return rc;
}

/* The reviewers and votes of a dispute read by read_dispute(). */
static int dispute_members(struct sq *s, struct dispute *d)
{
    STMT_OR_FAIL(q, s, S_DISPUTE_REVIEWERS);
    size_t cap = 0;
    int rc;
    bind_i64(q, 1, d->id);
    while ((rc = sq__next(s, q)) == 1) {
        if (d->nreviewers == cap) {
            cap = cap ? cap * 2 : 8;
            d->reviewers = xrealloc(d->reviewers, cap * sizeof *d->reviewers);
        }
        d->reviewers[d->nreviewers++] = col_i64(q, 0);
    }
    done(q);
    if (rc < 0)
        return rc;
    STMT_OR_FAIL(v, s, S_DISPUTE_VOTES);
    cap = 0;
    bind_i64(v, 1, d->id);
    while ((rc = sq__next(s, v)) == 1) {
        if (d->nvotes == cap) {
            cap = cap ? cap * 2 : 8;
            d->votes = xrealloc(d->votes, cap * sizeof *d->votes);
        }
        struct dispute_vote *x = &d->votes[d->nvotes++];
        x->user_id = col_i64(v, 0);
        x->decision = col_str(v, 1);
        x->reason = col_str(v, 2);
        x->event_id = col_i64(v, 3);
        x->created_at = col_i64(v, 4);
    }
    done(v);
    return rc < 0 ? rc : 0;
}

int sq__dispute_get(struct store *st, int64_t id, struct dispute *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DISPUTE_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1)
        read_dispute(q, out);
    done(q);
    if (rc == 0)
        return PL_ENOTFOUND;
    if (rc < 0)
        return rc;
    if ((rc = dispute_members(s, out)))
        dispute_clear(out);
    return rc;
}

int sq__dispute_update(struct store *st, const struct dispute *d)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DISPUTE_UPDATE);
    bind_dispute(q, d);
    return sq__write_one(s, q);
}

int sq__dispute_vote_insert(struct store *st, int64_t dispute_id, const struct dispute_vote *v)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_VOTE_INSERT);
    bind_i64(q, 1, dispute_id);
    bind_i64(q, 2, v->user_id);
    bind_text(q, 3, v->decision);
    bind_text(q, 4, v->reason);
    bind_i64(q, 5, v->event_id);
    bind_i64(q, 6, v->created_at ? v->created_at : clock_now_ms());
    return sq__run(s, q);
}

int sq__dispute_list(struct store *st, const char *status, int limit, struct dispute **out,
                     size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DISPUTE_LIST);
    struct dispute *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    bind_text(q, 1, status);
    bind_i64(q, 2, limit >= 1 && limit <= DISPUTE_LIST_MAX ? limit : DISPUTE_LIST_MAX);
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = xrealloc(v, cap * sizeof *v);
        }
        read_dispute(q, &v[len++]);
    }
    done(q);
    for (size_t i = 0; rc == 0 && i < len; i++)
        rc = dispute_members(s, &v[i]);
    if (rc < 0) {
        store_free_disputes(v, len);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc < 0 ? rc : 0;
}
