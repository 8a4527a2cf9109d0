/* http.h — Parley's HTTP server: the REST API under /api/v1, Server-Sent
 * Events and the static web UI. Thin: handlers validate and translate
 * JSON to desk calls and back; no SQL and no business rules here. */
#ifndef PARLEY_HTTP_HTTP_H
#define PARLEY_HTTP_HTTP_H

#include <stdint.h>

struct desk;
struct text_engine;

struct http_options {
    const char *bind;          /* "127.0.0.1" (default) or "0.0.0.0" */
    int port;                  /* 8080 */
    const char *web_dir;       /* static files; NULL = none */
    unsigned max_body;         /* request body limit, bytes (1 MiB) */
};

struct http_server;

/* Starts serving on its own threads (one per connection). The desk and
 * the text engine (may be NULL) are borrowed and must outlive the server.
 * Returns 0 or a PL_E* code with *err set (caller frees). */
int http_start(const struct http_options *o, struct desk *d, const struct text_engine *te,
               struct http_server **out, char **err);
/* Stops accepting, ends live streams, waits for requests in flight. */
void http_stop(struct http_server *s);

#endif
