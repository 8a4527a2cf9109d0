/* sqlite_outbox.c — the SQLite backend's outbox, webhook subscriptions
 * and e-mail attachments (migration 5). */
#include "store/sqlite_internal.h"
#include "store/outbox_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deliveries ------------------------------------------------------------- */

static void read_delivery(sqlite3_stmt *q, void *p)
{
    struct delivery *d = p;
    memset(d, 0, sizeof *d);
    d->id = col_i64(q, 0);
    d->kind = (enum delivery_kind)col_int(q, 1);
    d->status = (enum delivery_status)col_int(q, 2);
    d->message_id = col_i64(q, 3);
    d->ticket_id = col_i64(q, 4);
    d->event_id = col_i64(q, 5);
    d->webhook_id = col_i64(q, 6);
    d->payload = col_str(q, 7);
    d->attempts = col_int(q, 8);
    d->last_error = col_str(q, 9);
    d->next_attempt_at = col_i64(q, 10);
    d->created_at = col_i64(q, 11);
    d->updated_at = col_i64(q, 12);
}

static void bind_delivery(sqlite3_stmt *q, const struct delivery *d)
{
    bind_i64(q, 1, d->id);
    bind_i64(q, 2, d->kind);
    bind_i64(q, 3, d->status);
    bind_i64(q, 4, d->message_id);
    bind_i64(q, 5, d->ticket_id);
    bind_i64(q, 6, d->event_id);
    bind_i64(q, 7, d->webhook_id);
    bind_text(q, 8, d->payload);
    bind_i64(q, 9, d->attempts);
    bind_text(q, 10, d->last_error);
    bind_i64(q, 11, d->next_attempt_at);
    bind_i64(q, 12, d->created_at);
    bind_i64(q, 13, d->updated_at);
}

/* Reads every row of a bound statement into a new array of n elements
 * of `size` bytes, each filled by read(); on an error frees what it read
 * with clear(). */
static int read_rows(struct sq *s, sqlite3_stmt *q, size_t size,
                     void (*read)(sqlite3_stmt *, void *), void (*clear)(void *), void **out,
                     size_t *n)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = xrealloc(v, cap * size);
        }
        read(q, v + size * len++);
    }
    done(q);
    if (rc < 0) {
        for (size_t i = 0; i < len; i++)
            clear(v + size * i);
        free(v);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc < 0 ? rc : 0;
}

static void clear_delivery(void *p)
{
    delivery_clear(p);
}

static void clear_webhook(void *p)
{
    webhook_clear(p);
}

static void clear_attachment(void *p)
{
    attachment_clear(p);
}

static int read_deliveries(struct sq *s, sqlite3_stmt *q, struct delivery **out, size_t *n)
{
    return read_rows(s, q, sizeof **out, read_delivery, clear_delivery, (void **)out, n);
}

/* The single row of a bound statement, or PL_ENOTFOUND. */
static int one_delivery(struct sq *s, sqlite3_stmt *q, struct delivery *out)
{
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_delivery(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__delivery_insert(struct store *st, struct delivery *d)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_INSERT);
    if (!d->created_at)
        d->created_at = clock_now_ms();
    if (!d->updated_at)
        d->updated_at = d->created_at;
    bind_delivery(q, d);
    int rc = sq__run(s, q);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        return PL_EEXISTS;
    if (rc == 0)
        d->id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int sq__delivery_get(struct store *st, int64_t id, struct delivery *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_GET);
    bind_i64(q, 1, id);
    return one_delivery(s, q, out);
}

int sq__delivery_update(struct store *st, const struct delivery *d)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_UPDATE);
    bind_delivery(q, d);
    return sq__write_one(s, q);
}

int sq__delivery_due(struct store *st, int64_t now, unsigned kinds, int limit,
                     struct delivery **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_DUE);
    bind_i64(q, 1, now);
    bind_i64(q, 2, kinds);
    bind_i64(q, 3, limit > 0 ? limit : 100);
    return read_deliveries(s, q, out, n);
}

int sq__delivery_list_ticket(struct store *st, int64_t ticket_id, struct delivery **out,
                             size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_TICKET);
    bind_i64(q, 1, ticket_id);
    return read_deliveries(s, q, out, n);
}

int sq__delivery_of_message(struct store *st, int64_t message_id, struct delivery *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_DLV_MESSAGE);
    bind_i64(q, 1, message_id);
    return one_delivery(s, q, out);
}

/* ---- webhooks --------------------------------------------------------------- */

static void read_webhook(sqlite3_stmt *q, void *p)
{
    struct webhook *w = p;
    memset(w, 0, sizeof *w);
    w->id = col_i64(q, 0);
    w->url = col_str(q, 1);
    w->events = col_str(q, 2);
    w->secret = col_str(q, 3);
    w->created_by = col_i64(q, 4);
    w->created_at = col_i64(q, 5);
}

int sq__webhook_insert(struct store *st, struct webhook *w)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_HOOK_INSERT);
    if (!w->created_at)
        w->created_at = clock_now_ms();
    bind_text(q, 1, w->url);
    bind_text(q, 2, w->events);
    bind_text(q, 3, w->secret);
    bind_i64(q, 4, w->created_by);
    bind_i64(q, 5, w->created_at);
    return sq__insert(s, q, &w->id);
}

int sq__webhook_get(struct store *st, int64_t id, struct webhook *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_HOOK_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_webhook(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__webhook_list(struct store *st, struct webhook **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_HOOK_LIST);
    return read_rows(s, q, sizeof **out, read_webhook, clear_webhook, (void **)out, n);
}

int sq__webhook_delete(struct store *st, int64_t id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_HOOK_DELETE);
    bind_i64(q, 1, id);
    return sq__write_one(s, q);
}

/* ---- attachments -------------------------------------------------------------- */

static void read_attachment(sqlite3_stmt *q, void *p)
{
    struct attachment *a = p;
    memset(a, 0, sizeof *a);
    a->id = col_i64(q, 0);
    a->message_id = col_i64(q, 1);
    a->ticket_id = col_i64(q, 2);
    a->filename = col_str(q, 3);
    a->content_type = col_str(q, 4);
    a->size = col_i64(q, 5);
    const unsigned char *h = sqlite3_column_text(q, 6);
    snprintf(a->sha256, sizeof a->sha256, "%s", h ? (const char *)h : "");
    a->created_at = col_i64(q, 7);
}

int sq__attachment_insert(struct store *st, struct attachment *a)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_ATT_INSERT);
    if (!a->created_at)
        a->created_at = clock_now_ms();
    bind_i64(q, 2, a->message_id);
    bind_i64(q, 3, a->ticket_id);
    bind_text(q, 4, a->filename);
    bind_text(q, 5, a->content_type);
    bind_i64(q, 6, a->size);
    bind_text(q, 7, a->sha256);
    bind_i64(q, 8, a->created_at);
    sqlite3_bind_blob64(q, 9, a->len ? (const void *)a->data : "", a->len, SQLITE_STATIC);
    return sq__insert(s, q, &a->id);
}

int sq__attachment_get(struct store *st, int64_t id, struct attachment *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_ATT_GET);
    bind_i64(q, 1, id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        read_attachment(q, out);
        size_t len = (size_t)sqlite3_column_bytes(q, 8);
        const void *p = sqlite3_column_blob(q, 8);
        out->data = xmalloc(len + 1);
        if (len)
            memcpy(out->data, p, len);
        out->len = len;
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__attachment_list_ticket(struct store *st, int64_t ticket_id, struct attachment **out,
                               size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_ATT_TICKET);
    bind_i64(q, 1, ticket_id);
    return read_rows(s, q, sizeof **out, read_attachment, clear_attachment, (void **)out, n);
}
