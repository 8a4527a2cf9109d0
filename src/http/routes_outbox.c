/* routes_outbox.c — the outbox seen from the API: webhook subscriptions
 * (admin), a forced retry of a message's e-mail, stored attachments, and
 * the delivery state and attachments shown on a ticket's messages
 * (docs/api.md, docs/channels.md). Thin: the rules are in desk/outbox.c. */
#include "http/http_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const status_names[] = {"queued", "sent", "retrying", "failed"};

static json_t *delivery_json(const struct delivery *dl)
{
    json_t *j = json_pack("{s:s,s:i}", "status", status_names[dl->status], "attempts",
                          dl->attempts);
    json_object_set_new(j, "last_error", dl->last_error ? json_string(dl->last_error) : json_null());
    json_object_set_new(j, "next_attempt_at",
                        dl->status == DELIVERY_QUEUED || dl->status == DELIVERY_RETRYING
                            ? http_time(dl->next_attempt_at) : json_null());
    return j;
}

static json_t *attachment_json(const struct attachment *a)
{
    json_t *j = json_pack("{s:I,s:s?,s:s,s:I,s:s}", "id", (json_int_t)a->id, "filename",
                          a->filename, "content_type", a->content_type, "size",
                          (json_int_t)a->size, "sha256", a->sha256);
    char *url = xasprintf("/api/v1/attachments/%lld", (long long)a->id);
    json_object_set_new(j, "url", json_string(url));
    free(url);
    return j;
}

/* The message object in msgs with that id, or NULL. */
static json_t *message_in(json_t *msgs, int64_t id)
{
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m) {
        if (json_integer_value(json_object_get(m, "id")) == id)
            return m;
    }
    return NULL;
}

int http_ticket_outbox(struct store *st, int64_t ticket_id, json_t *msgs)
{
    struct delivery *dl = NULL;
    struct attachment *at = NULL;
    size_t n = 0, k = 0;
    int rc = st->ops->delivery_list_ticket(st, ticket_id, &dl, &n);
    if (rc == 0)
        rc = st->ops->attachment_list_ticket(st, ticket_id, &at, &k);
    if (rc) {
        store_free_deliveries(dl, n);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *m = message_in(msgs, dl[i].message_id);
        if (m)
            json_object_set_new(m, "delivery", delivery_json(&dl[i]));
    }
    for (size_t i = 0; i < k; i++) {
        json_t *m = message_in(msgs, at[i].message_id);
        if (!m)
            continue;
        json_t *arr = json_object_get(m, "attachments");
        if (!arr) {
            arr = json_array();
            json_object_set_new(m, "attachments", arr);
        }
        json_array_append_new(arr, attachment_json(&at[i]));
    }
    store_free_deliveries(dl, n);
    store_free_attachments(at, k);
    return 0;
}

/* ---- webhooks ----------------------------------------------------------------- */

static json_t *webhook_json(const struct webhook *w)
{
    json_t *ev = json_array();
    const char *p = w->events;
    while (*p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(ev, json_stringn(p, n));
        p += n;
        if (*p == ',')
            p++;
    }
    json_t *j = json_pack("{s:I,s:s,s:o,s:b}", "id", (json_int_t)w->id, "url", w->url, "events",
                          ev, "active", 1);
    json_object_set_new(j, "created_at", http_time(w->created_at));
    return j;
}

static enum MHD_Result list_webhooks(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct webhook *v = NULL;
    size_t n = 0;
    int rc = st ? st->ops->webhook_list(st, &v, &n) : PL_EUNAVAIL;
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, webhook_json(&v[i]));
    store_free_webhooks(v, n);
    return http_json(r, 200, json_pack("{s:o}", "webhooks", arr));
}

/* "events": ["ticket.created", ...] (or one comma-separated string). */
static char *events_text(json_t *ev)
{
    if (json_is_string(ev))
        return xstrdup(json_string_value(ev));
    if (!json_is_array(ev) || json_array_size(ev) == 0)
        return NULL;
    struct buf b = BUF_INIT;
    size_t i;
    json_t *x;
    json_array_foreach(ev, i, x) {
        if (!json_is_string(x) || strchr(json_string_value(x), ',')) {
            buf_release(&b);
            return NULL;
        }
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, json_string_value(x));
    }
    return buf_detach(&b, NULL);
}

static enum MHD_Result add_webhook(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *url = http_str(r, b, "url", true, &ok);
    const char *secret = ok ? http_str(r, b, "secret", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    char *events = events_text(json_object_get(b, "events"));
    if (!events) {
        json_decref(b);
        return http_error(r, 400, "invalid",
                          "'events' must be a non-empty list of event types (or \"*\")");
    }
    struct webhook w;
    int rc = desk_webhook_add(r->srv->d, &r->who, url, events, secret && *secret ? secret : NULL,
                              &w);
    free(events);
    json_decref(b);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid",
                          "'url' must be http(s)://…, each event a type like "
                          "ticket.created, ticket.* or *, and a 'secret' of your own "
                          "16 to 200 printable ASCII characters");
    if (rc)
        return http_fail(r, rc);
    json_t *j = webhook_json(&w);
    json_object_set_new(j, "secret", json_string(w.secret));
    webhook_clear(&w);
    return http_json(r, 201, j);
}

static enum MHD_Result delete_webhook(struct req *r)
{
    int rc = desk_webhook_delete(r->srv->d, &r->who, r->id);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)r->id, "deleted", 1));
}

/* ---- retries ---------------------------------------------------------------------- */

static enum MHD_Result retry_message(struct req *r)
{
    int rc = desk_outbox_retry(r->srv->d, &r->who, r->id);
    if (rc == PL_ENOTFOUND)
        return http_error(r, 404, "not_found", "message %lld has no e-mail to send",
                          (long long)r->id);
    if (rc == PL_ESTATE)
        return http_error(r, 409, "already_sent", "message %lld was sent already",
                          (long long)r->id);
    if (rc)
        return http_fail(r, rc);
    struct store *st = desk_reader(r->srv->d);
    struct delivery dl = {0};
    if (!st || (rc = st->ops->delivery_of_message(st, r->id, &dl)))
        return http_fail(r, st ? rc : PL_EUNAVAIL);
    json_t *j = json_pack("{s:I,s:o}", "message_id", (json_int_t)r->id, "delivery",
                          delivery_json(&dl));
    delivery_clear(&dl);
    return http_json(r, 202, j);
}

/* ---- attachments -------------------------------------------------------------------- */

/* Types a browser would run or render as a page: served as bytes. */
static bool active_type(const char *t)
{
    static const char *const bad[] = {"text/html", "application/xhtml", "image/svg",
                                      "text/xml", "application/xml", "text/javascript",
                                      "application/javascript", "text/xsl", "multipart/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strncasecmp(t, bad[i], strlen(bad[i])) == 0)
            return true;
    return strchr(t, '\r') || strchr(t, '\n') || !strchr(t, '/');
}

/* attachment; filename="ascii"; filename*=UTF-8''percent-encoded */
static char *disposition(const char *name)
{
    if (!name || !*name)
        name = "attachment";
    struct buf b = BUF_INIT;
    buf_puts(&b, "attachment; filename=\"");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        buf_putc(&b, *c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\' ? (char)*c : '_');
    buf_puts(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("!#$&+-.^_`|~", *c))
            buf_putc(&b, (char)*c);
        else
            buf_printf(&b, "%%%02X", *c);
    }
    return buf_detach(&b, NULL);
}

static enum MHD_Result get_attachment(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct attachment a = {0};
    int rc = st ? st->ops->attachment_get(st, r->id, &a) : PL_EUNAVAIL;
    if (rc)
        return http_fail(r, rc);
    const char *type = active_type(a.content_type) ? "application/octet-stream" : a.content_type;
    char *disp = disposition(a.filename);
    char *data = (char *)a.data;
    size_t len = a.len;
    a.data = NULL;
    enum MHD_Result res = http_raw(r, 200, type, data, len, "Content-Disposition", disp);
    free(disp);
    attachment_clear(&a);
    return res;
}

/* ---- the table ------------------------------------------------------------------------- */

static const struct http_subroute oroutes[] = {
    {"GET", "/api/v1/webhooks", false, NULL, HTTP_ADMIN, list_webhooks},
    {"POST", "/api/v1/webhooks", false, NULL, HTTP_ADMIN, add_webhook},
    {"DELETE", "/api/v1/webhooks/", true, "", HTTP_ADMIN, delete_webhook},
    {"POST", "/api/v1/messages/", true, "/retry", HTTP_STAFF, retry_message},
    {"GET", "/api/v1/attachments/", true, "", HTTP_STAFF, get_attachment},
};

enum MHD_Result http_route_outbox(struct req *r, bool *handled)
{
    return http_subroute(r, oroutes, sizeof oroutes / sizeof oroutes[0], handled);
}
