/* postgres_outbox.c — the PostgreSQL backend's outbox, webhook
 * subscriptions and e-mail attachments (migration 5). Attachment bytes go
 * in and come out as bytea hex text, so every parameter stays text. */
#include "store/postgres_internal.h"
#include "store/outbox_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- deliveries ------------------------------------------------------------- */

static void read_delivery(PGresult *r, int row, void *p)
{
    struct delivery *d = p;
    memset(d, 0, sizeof *d);
    d->id = col_i64(r, row, 0);
    d->kind = (enum delivery_kind)col_int(r, row, 1);
    d->status = (enum delivery_status)col_int(r, row, 2);
    d->message_id = col_i64(r, row, 3);
    d->ticket_id = col_i64(r, row, 4);
    d->event_id = col_i64(r, row, 5);
    d->webhook_id = col_i64(r, row, 6);
    d->payload = col_str(r, row, 7);
    d->attempts = col_int(r, row, 8);
    d->last_error = col_str(r, row, 9);
    d->next_attempt_at = col_i64(r, row, 10);
    d->created_at = col_i64(r, row, 11);
    d->updated_at = col_i64(r, row, 12);
}

/* Runs statement id and reads every row into a new array of n elements
 * of `size` bytes, each filled by read(). */
static int read_rows(struct pg *p, enum pid id, const struct args *a, size_t size,
                     void (*read)(PGresult *, int, void *), void **out, size_t *n)
{
    int rc;
    *out = NULL;
    *n = 0;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    char *v = rows > 0 ? xcalloc((size_t)rows, size) : NULL;
    for (int i = 0; i < rows; i++)
        read(r, i, v + size * (size_t)i);
    *out = v;
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

static int delivery_rows(struct pg *p, enum pid id, const struct args *a, struct delivery **out,
                         size_t *n)
{
    return read_rows(p, id, a, sizeof **out, read_delivery, (void **)out, n);
}

static int one_delivery(struct pg *p, enum pid id, int64_t key, struct delivery *out)
{
    struct args a = {0};
    struct delivery *v;
    size_t n;
    a_i64(&a, key);
    int rc = delivery_rows(p, id, &a, &v, &n);
    if (rc)
        return rc;
    if (!n)
        return PL_ENOTFOUND;
    *out = v[0];
    for (size_t i = 1; i < n; i++)
        delivery_clear(&v[i]);
    free(v);
    return 0;
}

int pg__delivery_insert(struct store *st, struct delivery *d)
{
    struct args a = {0};
    if (!d->created_at)
        d->created_at = clock_now_ms();
    if (!d->updated_at)
        d->updated_at = d->created_at;
    a_i64(&a, d->kind);
    a_i64(&a, d->status);
    a_i64(&a, d->message_id);
    a_i64(&a, d->ticket_id);
    a_i64(&a, d->event_id);
    a_i64(&a, d->webhook_id);
    a_str(&a, d->payload);
    a_i64(&a, d->attempts);
    a_str(&a, d->last_error);
    a_i64(&a, d->next_attempt_at);
    a_i64(&a, d->created_at);
    a_i64(&a, d->updated_at);
    return pg__int64(PG(st), P_DLV_INSERT, &a, &d->id, PL_EEXISTS);
}

int pg__delivery_get(struct store *st, int64_t id, struct delivery *out)
{
    return one_delivery(PG(st), P_DLV_GET, id, out);
}

int pg__delivery_update(struct store *st, const struct delivery *d)
{
    struct args a = {0};
    a_i64(&a, d->id);
    a_i64(&a, d->status);
    a_i64(&a, d->attempts);
    a_str(&a, d->last_error);
    a_i64(&a, d->next_attempt_at);
    a_i64(&a, d->updated_at);
    return pg__one_row(PG(st), P_DLV_UPDATE, &a);
}

int pg__delivery_due(struct store *st, int64_t now, unsigned kinds, int limit,
                     struct delivery **out, size_t *n)
{
    struct args a = {0};
    a_i64(&a, now);
    a_i64(&a, kinds);
    a_i64(&a, limit > 0 ? limit : 100);
    return delivery_rows(PG(st), P_DLV_DUE, &a, out, n);
}

int pg__delivery_list_ticket(struct store *st, int64_t ticket_id, struct delivery **out,
                             size_t *n)
{
    struct args a = {0};
    a_i64(&a, ticket_id);
    return delivery_rows(PG(st), P_DLV_TICKET, &a, out, n);
}

int pg__delivery_of_message(struct store *st, int64_t message_id, struct delivery *out)
{
    return one_delivery(PG(st), P_DLV_MESSAGE, message_id, out);
}

/* ---- webhooks --------------------------------------------------------------- */

static void read_webhook(PGresult *r, int row, void *p)
{
    struct webhook *w = p;
    w->id = col_i64(r, row, 0);
    w->url = col_str(r, row, 1);
    w->events = col_str(r, row, 2);
    w->secret = col_str(r, row, 3);
    w->created_by = col_i64(r, row, 4);
    w->created_at = col_i64(r, row, 5);
}

static int webhook_rows(struct pg *p, enum pid id, const struct args *a, struct webhook **out,
                        size_t *n)
{
    return read_rows(p, id, a, sizeof **out, read_webhook, (void **)out, n);
}

int pg__webhook_insert(struct store *st, struct webhook *w)
{
    struct args a = {0};
    if (!w->created_at)
        w->created_at = clock_now_ms();
    a_str(&a, w->url);
    a_str(&a, w->events);
    a_str(&a, w->secret);
    a_i64(&a, w->created_by);
    a_i64(&a, w->created_at);
    return pg__int64(PG(st), P_HOOK_INSERT, &a, &w->id, PL_EEXISTS);
}

int pg__webhook_get(struct store *st, int64_t id, struct webhook *out)
{
    struct args a = {0};
    struct webhook *v;
    size_t n;
    a_i64(&a, id);
    int rc = webhook_rows(PG(st), P_HOOK_GET, &a, &v, &n);
    if (rc)
        return rc;
    if (!n)
        return PL_ENOTFOUND;
    *out = v[0];
    free(v);
    return 0;
}

int pg__webhook_list(struct store *st, struct webhook **out, size_t *n)
{
    struct args a = {0};
    return webhook_rows(PG(st), P_HOOK_LIST, &a, out, n);
}

int pg__webhook_delete(struct store *st, int64_t id)
{
    struct args a = {0};
    a_i64(&a, id);
    return pg__one_row(PG(st), P_HOOK_DELETE, &a);
}

/* ---- attachments -------------------------------------------------------------- */

static void read_attachment(PGresult *r, int row, void *p)
{
    struct attachment *a = p;
    memset(a, 0, sizeof *a);
    a->id = col_i64(r, row, 0);
    a->message_id = col_i64(r, row, 1);
    a->ticket_id = col_i64(r, row, 2);
    a->filename = col_str(r, row, 3);
    a->content_type = col_str(r, row, 4);
    a->size = col_i64(r, row, 5);
    snprintf(a->sha256, sizeof a->sha256, "%s", PQgetvalue(r, row, 6));
    a->created_at = col_i64(r, row, 7);
}

int pg__attachment_insert(struct store *st, struct attachment *at)
{
    static const char hex[] = "0123456789abcdef";
    struct args a = {0};
    if (!at->created_at)
        at->created_at = clock_now_ms();
    char *text = xmalloc(2 * at->len + 3);
    text[0] = '\\';
    text[1] = 'x';
    for (size_t i = 0; i < at->len; i++) {
        text[2 + 2 * i] = hex[at->data[i] >> 4];
        text[3 + 2 * i] = hex[at->data[i] & 15];
    }
    text[2 + 2 * at->len] = '\0';
    a_i64(&a, at->message_id);
    a_i64(&a, at->ticket_id);
    a_str(&a, at->filename);
    a_str(&a, at->content_type);
    a_i64(&a, at->size);
    a_str(&a, at->sha256);
    a_i64(&a, at->created_at);
    a_str(&a, text);
    int rc = pg__int64(PG(st), P_ATT_INSERT, &a, &at->id, PL_EEXISTS);
    free(text);
    return rc;
}

int pg__attachment_get(struct store *st, int64_t id, struct attachment *out)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    a_i64(&a, id);
    PGresult *r = pg__exec(p, P_ATT_GET, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return PL_ENOTFOUND;
    }
    read_attachment(r, 0, out);
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 8), &len);
    PQclear(r);
    if (!bytes) {
        attachment_clear(out);
        pg__set_err(p, "cannot decode bytea");
        return PL_EDB;
    }
    out->data = xmalloc(len + 1);
    if (len)
        memcpy(out->data, bytes, len);
    out->len = len;
    PQfreemem(bytes);
    return 0;
}

int pg__attachment_list_ticket(struct store *st, int64_t ticket_id, struct attachment **out,
                               size_t *n)
{
    struct args a = {0};
    a_i64(&a, ticket_id);
    return read_rows(PG(st), P_ATT_TICKET, &a, sizeof **out, read_attachment, (void **)out, n);
}
