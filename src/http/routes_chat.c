/* routes_chat.c — live chat for customers (their own token, one
 * conversation each), the knowledge base and ticket search (docs/api.md,
 * docs/chat.md). Thin: every decision is in desk/chat.c and desk/kb.c. */
#include "http/http_internal.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/chat.h"
#include "desk/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON ----------------------------------------------------------------- */

static json_t *chat_message_json(const struct message *m)
{
    const char *kind = m->kind == MESSAGE_INBOUND ? "customer" : message_kind_name(m->kind);
    json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)m->id, "kind", kind, "body", m->body);
    if (m->kind == MESSAGE_REPLY)
        json_object_set_new(j, "author_name", json_string("Support"));
    json_object_set_new(j, "created_at", http_time(m->created_at));
    return j;
}

static json_t *greeting_json(const char *language)
{
    return json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)0, "kind", "bot", "body",
                     desk_chat_greeting(language), "greeting", 1);
}

static json_t *article_json(const struct kb_article *a, bool scored)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s?,s:s}", "id", (json_int_t)a->id, "language",
                          a->language, "title", a->title, "category", a->category, "body",
                          a->body);
    json_object_set_new(j, "created_at", http_time(a->created_at));
    json_object_set_new(j, "updated_at", http_time(a->updated_at));
    if (scored)
        json_object_set_new(j, "score", json_real(a->score));
    return j;
}

json_t *http_articles_json(struct kb_article *v, size_t n, bool scored)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, article_json(&v[i], scored));
    store_free_kb_articles(v, n);
    return arr;
}

static json_t *articles_json(struct kb_article *v, size_t n, bool scored)
{
    return json_pack("{s:o}", "articles", http_articles_json(v, n, scored));
}

/* {messages[], handoff, chat_id, ticket_id} for a turn: the messages with
 * id >= from that the customer sees. */
static enum MHD_Result turn_reply(struct req *r, unsigned status, int64_t chat_id, int64_t from,
                                  bool greeting, const char *token, const char *reason)
{
    struct desk *d = r->srv->d;
    struct store *st = desk_reader(d);
    if (!st)
        return http_fail(r, PL_EUNAVAIL);
    struct chat c = {0};
    int rc = st->ops->chat_get(st, chat_id, &c);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    if (greeting)
        json_array_append_new(arr, greeting_json(c.language));
    struct message *m = NULL;
    size_t n = 0;
    if (from >= 0 && (rc = desk_chat_messages(d, &c, from, &m, &n)) != 0) {
        chat_clear(&c);
        json_decref(arr);
        return http_fail(r, rc);
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, chat_message_json(&m[i]));
    store_free_messages(m, n);
    json_t *j = json_pack("{s:I,s:o,s:b}", "chat_id", (json_int_t)c.id, "messages", arr, "handoff",
                          c.handoff != 0);
    json_object_set_new(j, "ticket_id", c.ticket_id ? json_integer(c.ticket_id) : json_null());
    if (token)
        json_object_set_new(j, "token", json_string(token));
    if (reason)
        json_object_set_new(j, "handoff_reason", json_string(reason));
    chat_clear(&c);
    return http_json(r, status, j);
}

/* ---- chat: the customer's side --------------------------------------------- */

static const char *chat_token(struct req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7))
        return h + 7;
    return http_query(r, "token");
}

/* Checks the chat token for r->id; false when an error was answered. */
static bool chat_auth(struct req *r, struct chat *c)
{
    const char *tok = chat_token(r);
    if (!tok || !*tok) {
        http_error(r, 401, "unauthorized", "the chat token is required");
        return false;
    }
    int rc = desk_chat_auth(r->srv->d, r->id, tok, c);
    if (rc == PL_EFORBIDDEN) {
        http_error(r, 403, "forbidden", "this token belongs to another conversation");
        return false;
    }
    if (rc) {
        http_fail(r, rc);
        return false;
    }
    return true;
}

static enum MHD_Result chat_open(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    struct desk_chat_open in = {0};
    in.name = http_str(r, b, "name", false, &ok);
    if (ok)
        in.email = http_str(r, b, "email", false, &ok);
    if (ok)
        in.language = http_str(r, b, "language", false, &ok);
    if (ok)
        in.body = http_str(r, b, "body", false, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    char *token = NULL;
    struct desk_chat_turn t;
    int rc = desk_chat_open(r->srv->d, &in, &token, &t);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    enum MHD_Result res = turn_reply(r, 201, t.chat_id, 0, true, token, t.reason);
    free(token);
    return res;
}

static enum MHD_Result chat_say(struct req *r)
{
    struct chat c;
    if (!chat_auth(r, &c))
        return MHD_YES;
    chat_clear(&c);
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *body = http_str(r, b, "body", true, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct desk_chat_turn t;
    int rc = desk_chat_say(r->srv->d, r->id, body, &t);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    return turn_reply(r, 200, r->id, t.first_message_id ? t.first_message_id : -1, false, NULL,
                      t.reason);
}

static enum MHD_Result chat_handoff(struct req *r)
{
    struct chat c;
    if (!chat_auth(r, &c))
        return MHD_YES;
    chat_clear(&c);
    struct desk_chat_turn t;
    int rc = desk_chat_handoff(r->srv->d, r->id, &t);
    if (rc)
        return http_fail(r, rc);
    return turn_reply(r, 200, r->id, t.first_message_id ? t.first_message_id : -1, false, NULL,
                      t.reason);
}

static enum MHD_Result chat_get(struct req *r)
{
    struct chat c;
    if (!chat_auth(r, &c))
        return MHD_YES;
    chat_clear(&c);
    return turn_reply(r, 200, r->id, 0, true, NULL, NULL);
}

/* GET /chat/{id}/events: this conversation only — customer messages,
 * replies, bot messages and the hand-over; never notes. */
struct cstream {
    struct http_server *srv;
    int64_t chat_id;
    int64_t after;
    struct buf pending;
    size_t sent;
};

static void cfill(struct cstream *s)
{
    struct desk *d = s->srv->d;
    int64_t last = desk_last_event(d);
    struct store *st = desk_reader(d);
    if (!st)
        return;
    struct chat c = {0};
    if (st->ops->chat_get(st, s->chat_id, &c) != 0)
        goto out;
    if (!c.ticket_id) {
        s->after = last;
        goto out;
    }
    struct event_filter f = {.after_id = s->after, .ticket_id = c.ticket_id, .limit = 200};
    struct event *e = NULL;
    size_t n = 0;
    if (st->ops->event_list(st, &f, &e, &n) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        s->after = e[i].id;
        const char *type = e[i].type;
        if (!strcmp(type, "chat.handoff")) {
            buf_printf(&s->pending,
                       "id: %lld\nevent: chat.handoff\ndata: {\"type\":\"chat.handoff\","
                       "\"handoff\":true}\n\n",
                       (long long)e[i].id);
            continue;
        }
        if (strcmp(type, "message.reply") && strcmp(type, "message.bot") &&
            strcmp(type, "message.inbound"))
            continue;
        struct message m = {0};
        if (st->ops->message_get(st, e[i].message_id, &m) != 0)
            continue;
        if (m.kind != MESSAGE_NOTE) {
            json_t *j = chat_message_json(&m);
            char *data = json_dumps(j, JSON_COMPACT);
            json_decref(j);
            buf_printf(&s->pending, "id: %lld\nevent: message\ndata: %s\n\n", (long long)e[i].id,
                       data);
            free(data);
        }
        message_clear(&m);
    }
    if (n < 200 && s->after < last)
        s->after = last;
    store_free_events(e, n);
out:
    chat_clear(&c);
    desk_reader_release(d);
}

static ssize_t creader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct cstream *s = cls;
    for (int waited = 0; s->sent == s->pending.len; waited++) {
        buf_reset(&s->pending);
        s->sent = 0;
        if (atomic_load(&s->srv->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (desk_last_event(s->srv->d) > s->after) {
            int64_t before = s->after;
            cfill(s);
            if (s->after == before)
                return MHD_CONTENT_READER_END_OF_STREAM;
            continue;
        }
        if (waited >= 15) {
            buf_puts(&s->pending, ": keep-alive\n\n");
            break;
        }
        desk_wait_events(s->srv->d, s->after, 1000);
    }
    size_t n = s->pending.len - s->sent;
    if (n > max)
        n = max;
    memcpy(out, s->pending.ptr + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void cdone(void *cls)
{
    struct cstream *s = cls;
    buf_release(&s->pending);
    free(s);
}

static enum MHD_Result chat_events(struct req *r)
{
    struct chat c;
    if (!chat_auth(r, &c))
        return MHD_YES;
    chat_clear(&c);
    struct cstream *s = xcalloc(1, sizeof *s);
    s->srv = r->srv;
    s->chat_id = r->id;
    const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    const char *after = last ? last : http_query(r, "after");
    if (after) {
        char *end;
        long long v = strtoll(after, &end, 10);
        if (*end || v < 0) {
            free(s);
            return http_error(r, 400, "invalid", "Last-Event-ID/after must be an event id");
        }
        s->after = v;
    } else {
        s->after = desk_last_event(r->srv->d);
    }
    buf_puts(&s->pending, "retry: 2000\n\n");
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, creader, s, cdone);
    if (!resp) {
        cdone(s);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    enum MHD_Result ok = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- knowledge base and search (staff) -------------------------------------- */

static int limit_param(struct req *r, int def)
{
    const char *l = http_query(r, "limit");
    if (!l)
        return def;
    int v = atoi(l);
    return v >= 1 && v <= 100 ? v : def;
}

static enum MHD_Result kb_list(struct req *r)
{
    struct kb_article *v = NULL;
    size_t n = 0;
    int rc = desk_kb_list(r->srv->d, http_query(r, "language"), &v, &n);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, articles_json(v, n, false));
}

static enum MHD_Result kb_save(struct req *r, int64_t id)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    struct kb_article a = {.id = id};
    a.title = (char *)http_str(r, b, "title", true, &ok);
    if (ok)
        a.language = (char *)http_str(r, b, "language", true, &ok);
    if (ok)
        a.body = (char *)http_str(r, b, "body", true, &ok);
    if (ok)
        a.category = (char *)http_str(r, b, "category", false, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    int rc = desk_kb_save(r->srv->d, &r->who, &a);
    json_t *j = rc ? NULL : article_json(&a, false);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, id ? 200 : 201, j);
}

static enum MHD_Result kb_create(struct req *r)
{
    return kb_save(r, 0);
}

static enum MHD_Result kb_update(struct req *r)
{
    return kb_save(r, r->id);
}

static enum MHD_Result kb_search(struct req *r)
{
    const char *q = http_query(r, "q");
    if (!q || !*q)
        return http_error(r, 400, "invalid", "q is required");
    struct kb_article *v = NULL;
    size_t n = 0;
    int rc = desk_kb_search(r->srv->d, q, http_query(r, "language"), limit_param(r, 10), &v, &n);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, articles_json(v, n, true));
}

static enum MHD_Result kb_suggest(struct req *r)
{
    const char *t = http_query(r, "ticket_id");
    char *end = NULL;
    long long id = t ? strtoll(t, &end, 10) : 0;
    if (!t || *end || id <= 0)
        return http_error(r, 400, "invalid", "ticket_id must be a ticket id");
    struct kb_article *v = NULL;
    size_t n = 0;
    int rc = desk_kb_suggest(r->srv->d, id, limit_param(r, 3), &v, &n);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, articles_json(v, n, true));
}

static enum MHD_Result search(struct req *r)
{
    const char *q = http_query(r, "q");
    if (!q || !*q)
        return http_error(r, 400, "invalid", "q is required");
    struct search_hit *v = NULL;
    size_t n = 0;
    int rc = desk_search(r->srv->d, q, limit_param(r, 20), &v, &n);
    if (rc)
        return http_fail(r, rc);
    struct store *st = desk_reader(r->srv->d);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        struct ticket t = {0};
        if (!st || st->ops->ticket_get(st, v[i].ticket_id, &t) != 0)
            continue;
        json_t *j = http_ticket_json(&t);
        json_object_set_new(j, "snippet", v[i].snippet ? json_string(v[i].snippet) : json_null());
        json_object_set_new(j, "score", json_real(v[i].score));
        json_array_append_new(arr, j);
        ticket_clear(&t);
    }
    store_free_search_hits(v, n);
    return http_json(r, 200, json_pack("{s:o}", "tickets", arr));
}

/* ---- the table ---------------------------------------------------------------- */

static const struct http_subroute croutes[] = {
    {"POST", "/api/v1/chat", false, NULL, HTTP_PUBLIC, chat_open},
    {"GET", "/api/v1/chat/", true, "", HTTP_PUBLIC, chat_get},
    {"POST", "/api/v1/chat/", true, "/messages", HTTP_PUBLIC, chat_say},
    {"POST", "/api/v1/chat/", true, "/handoff", HTTP_PUBLIC, chat_handoff},
    {"GET", "/api/v1/chat/", true, "/events", HTTP_PUBLIC, chat_events},
    {"GET", "/api/v1/kb/articles", false, NULL, HTTP_STAFF, kb_list},
    {"POST", "/api/v1/kb/articles", false, NULL, HTTP_SUPERVISOR, kb_create},
    {"PUT", "/api/v1/kb/articles/", true, "", HTTP_SUPERVISOR, kb_update},
    {"GET", "/api/v1/kb/search", false, NULL, HTTP_STAFF, kb_search},
    {"GET", "/api/v1/kb/suggest", false, NULL, HTTP_STAFF, kb_suggest},
    {"GET", "/api/v1/search", false, NULL, HTTP_STAFF, search},
};

enum MHD_Result http_route_chat(struct req *r, bool *handled)
{
    return http_subroute(r, croutes, sizeof croutes / sizeof croutes[0], handled);
}
