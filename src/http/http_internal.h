/* http_internal.h — what the server's files share. */
#ifndef PARLEY_HTTP_INTERNAL_H
#define PARLEY_HTTP_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "base/buf.h"
#include "desk/desk.h"
#include "http/http.h"

struct http_server {
    struct MHD_Daemon *mhd;
    struct desk *d;
    const struct text_engine *te;
    char *web_dir;
    unsigned max_body;
    atomic_int stopping;
};

/* One request, from its first byte to its answer. */
struct req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    char path[512];
    struct buf body;
    bool too_big;
    /* after authentication */
    bool authed;
    bool by_cookie;
    struct desk_actor who;
    char token[80];
    /* the route's {id} parameters */
    int64_t id;
    const char *tail;          /* for static files */
};

/* Replies: each queues the response and returns MHD_YES/NO. */
enum MHD_Result http_json(struct req *r, unsigned status, json_t *body);  /* consumes body */
enum MHD_Result http_error(struct req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a PL_E* code to a status and error body. */
enum MHD_Result http_fail(struct req *r, int rc);
enum MHD_Result http_raw(struct req *r, unsigned status, const char *type, char *data, size_t len,
                         const char *extra_header, const char *extra_value);  /* takes data */

/* Request helpers. */
const char *http_query(struct req *r, const char *name);
/* Parses the body as a JSON object; on failure answers 400 and returns NULL. */
json_t *http_body_object(struct req *r);
/* Fetches a string member; *ok = false (and answers 400) on a wrong type or,
 * when required, absence. Returns a borrowed string or NULL. */
const char *http_str(struct req *r, json_t *o, const char *key, bool required, bool *ok);

/* JSON of domain values (new references). */
json_t *http_time(int64_t ms);     /* ISO 8601 string, or null for 0 */
json_t *http_ticket_json(const struct ticket *t);
json_t *http_message_json(const struct message *m);
json_t *http_event_json(const struct event *e);
json_t *http_user_json(const struct user *u);

/* A customer's data (routes_erasure.c). */
enum MHD_Result http_customer_export(struct req *r);
enum MHD_Result http_customer_erase(struct req *r);

/* Server-Sent Events (sse.c). */
enum MHD_Result http_sse_events(struct req *r);

/* Route table (routes.c). */
enum MHD_Result http_route(struct req *r);
/* Sub-routers, one per file (listed in routes.c): answer and set *handled
 * when the path is theirs. */
enum MHD_Result http_route_extra(struct req *r, bool *handled);    /* routes_extra.c */
enum MHD_Result http_route_chat(struct req *r, bool *handled);     /* routes_chat.c */
enum MHD_Result http_route_canned(struct req *r, bool *handled);   /* routes_canned.c */
enum MHD_Result http_route_disputes(struct req *r, bool *handled); /* routes_disputes.c */
enum MHD_Result http_route_insight(struct req *r, bool *handled);  /* routes_insight.c */
enum MHD_Result http_route_feedback(struct req *r, bool *handled); /* routes_feedback.c */
enum MHD_Result http_route_outbox(struct req *r, bool *handled);   /* routes_outbox.c */
/* Adds each message's delivery state and attachments to the message
 * objects in msgs (routes_outbox.c). */
int http_ticket_outbox(struct store *st, int64_t ticket_id, json_t *msgs);

/* Access rules shared by every router (routes.c): false when an error
 * answer (401/403) was queued. */
enum http_access_level { HTTP_PUBLIC, HTTP_ANY, HTTP_INGEST, HTTP_STAFF, HTTP_SUPERVISOR,
                         HTTP_ADMIN };
bool http_access(struct req *r, int access);

/* A sub-router's table row: method and path prefix, optionally followed by
 * a positive id (into r->id) and a fixed suffix. */
struct http_subroute {
    const char *method, *prefix;
    bool with_id;
    const char *suffix;        /* after the id ("" = nothing) */
    int access;
    enum MHD_Result (*fn)(struct req *r);
};
/* Runs the row matching r (405 when only the method differs) and sets
 * *handled; leaves *handled alone when no row's path matches. */
enum MHD_Result http_subroute(struct req *r, const struct http_subroute *t, size_t n,
                              bool *handled);
/* The articles as a JSON array (routes_chat.c); frees v. */
json_t *http_articles_json(struct kb_article *v, size_t n, bool scored);

#endif
