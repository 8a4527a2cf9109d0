/* sse.c — GET /api/v1/events: the event record as a Server-Sent Events
 * stream. Each connection has its own thread, which sleeps on the desk's
 * "new events" signal and reads the new rows from its own connection, so
 * the stream is exactly what was committed, in order. Resumes after
 * Last-Event-ID (or ?after=N); a comment every 15 s keeps proxies open. */
#include "http/http_internal.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
    struct http_server *srv;
    int64_t after;
    struct buf pending;        /* encoded events not yet handed to MHD */
    size_t sent;
};

static void fill(struct stream *s)
{
    struct store *st = desk_reader(s->srv->d);
    if (!st)
        return;
    struct event_filter f = {.after_id = s->after, .limit = 200};
    struct event *e = NULL;
    size_t n = 0;
    if (st->ops->event_list(st, &f, &e, &n) != 0)
        return;
    desk_events_open(s->srv->d, st, e, n);
    for (size_t i = 0; i < n; i++) {
        json_t *j = http_event_json(&e[i]);
        char *data = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        buf_printf(&s->pending, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)e[i].id,
                   e[i].type, data);
        free(data);
        s->after = e[i].id;
    }
    store_free_events(e, n);
    desk_reader_release(s->srv->d);   /* a stream may live for hours */
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    for (int waited = 0; s->sent == s->pending.len; waited++) {
        buf_reset(&s->pending);
        s->sent = 0;
        if (atomic_load(&s->srv->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (desk_last_event(s->srv->d) > s->after) {
            int64_t before = s->after;
            fill(s);
            if (s->after == before)   /* the read failed: end the stream, the */
                return MHD_CONTENT_READER_END_OF_STREAM;   /* client resumes */
            continue;
        }
        if (waited == 15) {
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

static void done(void *cls)
{
    struct stream *s = cls;
    buf_release(&s->pending);
    free(s);
}

enum MHD_Result http_sse_events(struct req *r)
{
    struct stream *s = xcalloc(1, sizeof *s);
    s->srv = r->srv;
    const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    const char *after = http_query(r, "after");
    const char *from = last ? last : after;
    if (from) {
        char *end;
        long long v = strtoll(from, &end, 10);
        if (*end || v < 0) {
            free(s);
            return http_error(r, 400, "invalid", "Last-Event-ID/after must be an event id");
        }
        s->after = v;
    } else {
        s->after = desk_last_event(r->srv->d);  /* only what happens from now on */
    }
    buf_puts(&s->pending, "retry: 2000\n\n");
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, reader, s, done);
    if (!resp) {
        done(s);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    enum MHD_Result ok = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}
