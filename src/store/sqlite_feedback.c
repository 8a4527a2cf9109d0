/* sqlite_feedback.c — SQLite: CSAT surveys, alerts, and the negative
 * inbound messages the complaint-spike baseline is rebuilt from. */
#include "store/sqlite_internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

static void read_survey(sqlite3_stmt *q, struct survey *s)
{
    memset(s, 0, sizeof *s);
    s->id = col_i64(q, 0);
    s->token_hash = col_str(q, 1);
    s->ticket_id = col_i64(q, 2);
    s->customer_id = col_i64(q, 3);
    s->created_at = col_i64(q, 4);
    s->answered_at = col_i64(q, 5);
    s->score = col_int(q, 6);
    s->nps = col_int(q, 7);
    s->comment = col_str(q, 8);
    s->analysis = col_str(q, 9);
}

static void read_alert(sqlite3_stmt *q, struct alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = col_i64(q, 0);
    a->kind = col_str(q, 1);
    a->category = col_str(q, 2);
    a->metric = col_str(q, 3);
    a->size = sqlite3_column_double(q, 4);
    a->expected = sqlite3_column_double(q, 5);
    a->observed = sqlite3_column_double(q, 6);
    a->ticket_ids = col_str(q, 7);
    a->detail = col_str(q, 8);
    a->created_at = col_i64(q, 9);
    a->acknowledged_by = col_i64(q, 10);
    a->acknowledged_at = col_i64(q, 11);
}

int sq__survey_insert(struct store *st, struct survey *s)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_SURVEY_INSERT);
    if (!s->created_at)
        s->created_at = clock_now_ms();
    bind_text(q, 1, s->token_hash);
    bind_i64(q, 2, s->ticket_id);
    bind_i64(q, 3, s->customer_id);
    bind_i64(q, 4, s->created_at);
    return sq__insert(db, q, &s->id);
}

static int survey_by(struct sq *db, sqlite3_stmt *q, struct survey *out)
{
    int rc = sq__next(db, q);
    if (rc == 1) {
        read_survey(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__survey_find(struct store *st, const char *token_hash, struct survey *out)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_SURVEY_FIND);
    bind_text(q, 1, token_hash);
    return survey_by(db, q, out);
}

int sq__survey_answer(struct store *st, const struct survey *s)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_SURVEY_ANSWER);
    bind_i64(q, 1, s->id);
    bind_i64(q, 2, s->answered_at);
    bind_i64(q, 3, s->score);
    bind_i64(q, 4, s->nps);
    bind_text(q, 5, s->comment);
    bind_text(q, 6, s->analysis);
    int rc = sq__run(db, q);
    if (rc || sqlite3_changes(db->db) > 0)
        return rc;
    /* Nothing changed: unknown, or answered before. */
    STMT_OR_FAIL(g, db, S_SURVEY_GET);
    bind_i64(g, 1, s->id);
    struct survey old;
    rc = survey_by(db, g, &old);
    if (rc == 0) {
        survey_clear(&old);
        rc = PL_ESTATE;
    }
    return rc;
}

int sq__alert_insert(struct store *st, struct alert *a)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_ALERT_INSERT);
    if (!a->created_at)
        a->created_at = clock_now_ms();
    bind_text(q, 1, a->kind);
    bind_text(q, 2, a->category);
    bind_text(q, 3, a->metric);
    sqlite3_bind_double(q, 4, a->size);
    sqlite3_bind_double(q, 5, a->expected);
    sqlite3_bind_double(q, 6, a->observed);
    bind_text(q, 7, a->ticket_ids ? a->ticket_ids : "[]");
    bind_text(q, 8, a->detail);
    bind_i64(q, 9, a->created_at);
    return sq__insert(db, q, &a->id);
}

int sq__alert_get(struct store *st, int64_t id, struct alert *out)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_ALERT_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(db, q);
    if (rc == 1) {
        read_alert(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__alert_list(struct store *st, int open_only, int limit, struct alert **out, size_t *n)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_ALERT_LIST);
    *out = NULL;
    *n = 0;
    bind_i64(q, 1, open_only ? 1 : 0);
    bind_i64(q, 2, limit >= 1 && limit <= 500 ? limit : 100);
    struct alert *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(db, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
        }
        read_alert(q, &v[len++]);
    }
    done(q);
    if (rc < 0) {
        store_free_alerts(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

int sq__alert_ack(struct store *st, int64_t id, int64_t user_id, int64_t at)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_ALERT_ACK);
    bind_i64(q, 1, id);
    bind_i64(q, 2, user_id);
    bind_i64(q, 3, at);
    int rc = sq__run(db, q);
    if (rc || sqlite3_changes(db->db) > 0)
        return rc;
    struct alert a;
    rc = sq__alert_get(st, id, &a);
    alert_clear(&a);
    return rc;
}

int sq__negative_scan(struct store *st, int64_t since, double below,
                      int (*fn)(void *ctx, int64_t at, int64_t ticket_id, const char *category),
                      void *ctx)
{
    struct sq *db = SQ(st);
    STMT_OR_FAIL(q, db, S_NEGATIVE_SCAN);
    bind_i64(q, 1, since);
    sqlite3_bind_double(q, 2, below);
    int rc;
    while ((rc = sq__next(db, q)) == 1) {
        if ((rc = fn(ctx, col_i64(q, 0), col_i64(q, 1), (const char *)sqlite3_column_text(q, 2))))
            break;
    }
    done(q);
    return rc < 0 || rc > 0 ? rc : 0;
}
