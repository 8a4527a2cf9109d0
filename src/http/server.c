/* server.c — libmicrohttpd glue: request bodies with a size limit,
 * authentication (bearer token, API key or HttpOnly session cookie with a
 * CSRF check), static files with a strict Content-Security-Policy, and the
 * JSON replies every handler uses. */
#include "http/http_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

static void common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
}

enum MHD_Result http_raw(struct req *r, unsigned status, const char *type, char *data, size_t len,
                         const char *extra_header, const char *extra_value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    common_headers(resp);
    if (extra_header)
        MHD_add_response_header(resp, extra_header, extra_value);
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result http_json(struct req *r, unsigned status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s)
        return http_error(r, 500, "internal", "cannot encode the answer");
    return http_raw(r, status, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

enum MHD_Result http_error(struct req *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return http_raw(r, status, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

enum MHD_Result http_fail(struct req *r, int rc)
{
    switch (rc) {
    case PL_ENOTFOUND: return http_error(r, 404, "not_found", "no such record");
    case PL_EINVAL:    return http_error(r, 400, "invalid", "invalid value");
    case PL_EUTF8:     return http_error(r, 400, "invalid_utf8", "text is not valid UTF-8");
    case PL_ETOOBIG:   return http_error(r, 413, "too_large", "a value is too large");
    case PL_EEXISTS:   return http_error(r, 409, "exists", "it already exists");
    case PL_ESTATE:    return http_error(r, 409, "illegal_transition",
                                         "that change is not allowed in the current state");
    case PL_EAUTH:     return http_error(r, 401, "unauthorized", "authentication required");
    case PL_EFORBIDDEN:return http_error(r, 403, "forbidden", "your role may not do this");
    case PL_EUNAVAIL:  return http_error(r, 503, "unavailable", "not available now");
    default:
        log_error("http: %s %s: %s", r->method, r->path, parley_strerror(rc));
        return http_error(r, 500, "internal", "%s", parley_strerror(rc));
    }
}

const char *http_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* A JSON request body: a Content-Type, when sent, must say so. Form and
 * text types are refused (415), which also keeps cross-site HTML forms
 * from reaching the API with a session cookie. */
static bool json_content_type(struct MHD_Connection *conn)
{
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct)
        return true;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    ct += sizeof want - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

json_t *http_body_object(struct req *r)
{
    if (!json_content_type(r->conn)) {
        http_error(r, 415, "unsupported_media_type",
                   "the body must be sent as Content-Type: application/json");
        return NULL;
    }
    if (!utf8_valid(buf_str(&r->body), r->body.len)) {
        http_error(r, 400, "invalid_utf8", "the body is not valid UTF-8");
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(buf_str(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        http_error(r, 400, "bad_json", "malformed JSON at line %d column %d: %s", e.line,
                   e.column, e.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        http_error(r, 400, "bad_json", "a JSON object is expected");
        return NULL;
    }
    return j;
}

const char *http_str(struct req *r, json_t *o, const char *key, bool required, bool *ok)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            http_error(r, 400, "missing_field", "'%s' is required", key);
            *ok = false;
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        http_error(r, 400, "wrong_type", "'%s' must be a string", key);
        *ok = false;
        return NULL;
    }
    return json_string_value(v);
}

/* ---- static files ---------------------------------------------------------- */

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
        {".json", "application/json"}, {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"}};
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static enum MHD_Result serve_static(struct req *r)
{
    const char *p = r->path;
    if (!r->srv->web_dir || (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")))
        return http_error(r, 404, "not_found", "no such page");
    if (strcmp(p, "/") == 0)
        p = "/index.html";
    /* Only plain names: no "..", no hidden files, no backslashes. */
    if (strstr(p, "..") || strstr(p, "/.") || strchr(p, '\\') || strlen(p) > 200)
        return http_error(r, 404, "not_found", "no such page");
    char full[512];
    snprintf(full, sizeof full, "%s%s", r->srv->web_dir, p);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return http_error(r, 404, "not_found", "no such page");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", mime_of(p));
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    enum MHD_Result ok = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- authentication ---------------------------------------------------------- */

/* The CSRF token of a cookie session: derived from the session token, so
 * the server keeps no state for it and a page can only learn it from the
 * login answer. */
void http_csrf_of(const char *token, char out[65]);
void http_csrf_of(const char *token, char out[65])
{
    char *salted = xasprintf("csrf:%s", token);
    desk_secret_hash(salted, out);
    free(salted);
}

static bool authenticate(struct req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    const char *tok = NULL;
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        tok = h + 7;
    if (!tok && strcmp(r->path, "/api/v1/events") == 0)
        tok = http_query(r, "token");  /* EventSource cannot send headers */
    if (!tok) {
        tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "parley_session");
        r->by_cookie = tok != NULL;
    }
    if (!tok || strlen(tok) >= sizeof r->token)
        return false;
    if (desk_authenticate(r->srv->d, tok, &r->who) != 0)
        return false;
    snprintf(r->token, sizeof r->token, "%s", tok);
    if (r->by_cookie && strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        const char *sent = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        char want[65];
        http_csrf_of(tok, want);
        if (!sent || strcmp(sent, want) != 0)
            return false;
    }
    r->authed = true;
    return true;
}

bool http_require(struct req *r);
bool http_require(struct req *r)
{
    return r->authed || authenticate(r);
}

/* ---- the access handler --------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **ctx)
{
    (void)version;
    struct http_server *srv = cls;
    struct req *r = *ctx;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->srv = srv;
        r->conn = conn;
        r->method = method;
        snprintf(r->path, sizeof r->path, "%s", url);
        *ctx = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && r->body.len + *upload_size > srv->max_body)
            r->too_big = true;
        if (!r->too_big)
            buf_add(&r->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return http_error(r, 413, "too_large", "the body is larger than %u bytes", srv->max_body);
    if (strncmp(r->path, "/api/", 5) != 0)
        return serve_static(r);
    return http_route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)conn, (void)why;
    struct req *r = *ctx;
    if (!r)
        return;
    desk_reader_release(r->srv->d);
    buf_release(&r->body);
    free(r);
    *ctx = NULL;
}

int http_start(const struct http_options *o, struct desk *d, const struct text_engine *te,
               struct http_server **out, char **err)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    s->d = d;
    s->te = te;
    s->web_dir = xstrdup(o->web_dir);
    s->max_body = o->max_body ? o->max_body : 1u << 20;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->bind ? o->bind : "127.0.0.1", &sa.sin_addr) != 1) {
        *err = xasprintf("not an IPv4 address: %s", o->bind);
        free(s->web_dir);
        free(s);
        return PL_EINVAL;
    }
    signal(SIGPIPE, SIG_IGN);
    s->mhd = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT, 2000u,
        MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_END);
    if (!s->mhd) {
        *err = xasprintf("cannot listen on %s:%d: %s", o->bind ? o->bind : "127.0.0.1", o->port,
                         strerror(errno));
        free(s->web_dir);
        free(s);
        return PL_EIO;
    }
    *out = s;
    return 0;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    MHD_stop_daemon(s->mhd);
    free(s->web_dir);
    free(s);
}

/* ---- JSON of domain values --------------------------------------------------------- */

json_t *http_time(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[CLOCK_ISO_LEN];
    clock_format(ms, s);
    return json_string(s);
}

static json_t *maybe_json(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : json_null();
}

json_t *http_ticket_json(const struct ticket *t)
{
    json_t *j = json_pack("{s:I,s:I,s:s?,s:s,s:s,s:s?,s:s,s:s?,s:s?}",
        "id", (json_int_t)t->id, "customer_id", (json_int_t)t->customer_id,
        "subject", t->subject, "status", status_name(t->status),
        "priority", priority_name(t->priority), "category", t->category,
        "channel", channel_name(t->channel), "thread", t->thread, "language", t->language);
    json_object_set_new(j, "assignee_id", t->assignee_id ? json_integer(t->assignee_id) : json_null());
    json_object_set_new(j, "sla_first_due", http_time(t->sla_first_due));
    json_object_set_new(j, "sla_next_due", http_time(t->sla_next_due));
    json_object_set_new(j, "sla_resolve_due", http_time(t->sla_resolve_due));
    json_object_set_new(j, "created_at", http_time(t->created_at));
    json_object_set_new(j, "updated_at", http_time(t->updated_at));
    json_object_set_new(j, "first_response_at", http_time(t->first_response_at));
    json_object_set_new(j, "resolved_at", http_time(t->resolved_at));
    json_object_set_new(j, "closed_at", http_time(t->closed_at));
    json_object_set_new(j, "message_count", json_integer(t->message_count));
    json_object_set_new(j, "emotion", t->emotion ? json_string(t->emotion) : json_null());
    json_object_set_new(j, "emotion_intensity", json_real(t->hostility / 1000.0));
    json_object_set_new(j, "escalated", json_boolean(t->escalated));
    json_t *tri = maybe_json(t->triage);
    if (json_is_object(tri)) {
        json_t *reasons = json_object_get(tri, "reasons");
        if (reasons)
            json_object_set(j, "reasons", reasons);
    }
    json_object_set_new(j, "triage", tri);
    return j;
}

json_t *http_message_json(const struct message *m)
{
    json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:s?}", "id", (json_int_t)m->id, "ticket_id",
                          (json_int_t)m->ticket_id, "kind", message_kind_name(m->kind),
                          "channel", channel_name(m->channel), "body", m->body);
    json_object_set_new(j, "author_user_id",
                        m->author_user_id ? json_integer(m->author_user_id) : json_null());
    json_object_set_new(j, "author_customer_id",
                        m->author_customer_id ? json_integer(m->author_customer_id) : json_null());
    json_object_set_new(j, "external_id", m->external_id ? json_string(m->external_id) : json_null());
    json_object_set_new(j, "analysis", maybe_json(m->analysis));
    json_object_set_new(j, "created_at", http_time(m->created_at));
    return j;
}

json_t *http_event_json(const struct event *e)
{
    json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)e->id, "type", e->type, "actor_kind",
                          actor_kind_name(e->actor_kind));
    json_object_set_new(j, "actor_id", e->actor_id ? json_integer(e->actor_id) : json_null());
    json_object_set_new(j, "ticket_id", e->ticket_id ? json_integer(e->ticket_id) : json_null());
    json_object_set_new(j, "customer_id", e->customer_id ? json_integer(e->customer_id) : json_null());
    json_object_set_new(j, "message_id", e->message_id ? json_integer(e->message_id) : json_null());
    json_object_set_new(j, "before", maybe_json(e->before));
    json_object_set_new(j, "after", maybe_json(e->after));
    json_object_set_new(j, "created_at", http_time(e->created_at));
    return j;
}

json_t *http_user_json(const struct user *u)
{
    json_t *j = json_pack("{s:I,s:s,s:s?,s:s,s:s?,s:s?,s:b}", "id", (json_int_t)u->id, "email",
                          u->email, "name", u->name, "role", role_name(u->role), "skills",
                          u->skills, "languages", u->languages, "active", u->active);
    json_object_set_new(j, "created_at", http_time(u->created_at));
    return j;
}
