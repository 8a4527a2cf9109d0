/* outbox.c — the delivery thread. It wakes when a commit queued a
 * delivery (or at least every second, for retries that come due), takes
 * the due deliveries, sends each through its channel and records the
 * outcome with desk_outbox_result(). A crash between sending and
 * recording sends that one again on restart: delivery is at least once,
 * and exactly once while the process lives. */
#include "outbox/outbox.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "channel/mail.h"
#include "channel/smtp.h"
#include "channel/webhook.h"
#include "desk/desk.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 32
#define TICK_MS 200            /* how often the thread looks at its stop flag */
#define SCAN_MS 1000           /* retries come due at most this late */

struct outbox {
    struct desk *d;
    struct smtp_config smtp;
    char *smtp_url, *smtp_user, *smtp_password, *from, *from_addr;
    pthread_t thread;
    atomic_int stopping;
};

static void send_email(struct outbox *ob, const struct desk_send *s, char **err, bool *permanent)
{
    struct mail_out m = {
        .from = s->from, .to = s->to, .to_name = s->to_name, .subject = s->subject,
        .message_id = s->message_id, .in_reply_to = s->in_reply_to,
        .references = s->references, .body = s->body, .date_ms = clock_now_ms()};
    size_t len = 0;
    char *raw = mail_build(&m, &len);
    if (!raw) {
        *err = xasprintf("cannot build the message to '%s'", s->to);
        *permanent = true;
        return;
    }
    smtp_send(&ob->smtp, ob->from_addr, s->to, raw, len, err, permanent);
    free(raw);
}

static void deliver(struct outbox *ob, const struct desk_send *s)
{
    char *err = NULL;
    bool permanent = false;
    if (s->fail) {
        err = xstrdup(s->fail);
        permanent = true;
    } else if (s->dl.kind == DELIVERY_EMAIL) {
        send_email(ob, s, &err, &permanent);
    } else {
        webhook_post(s->url, s->secret, s->event_type, s->dl.id, s->dl.payload, &ob->stopping,
                     &err);
    }
    if (err)
        log_warn("outbox: delivery %lld failed (attempt %d): %s", (long long)s->dl.id,
                 s->dl.attempts + 1, err);
    int rc = desk_outbox_result(ob->d, s->dl.id, err, permanent);
    if (rc)
        log_error("outbox: cannot record delivery %lld: %s", (long long)s->dl.id,
                  parley_strerror(rc));
    free(err);
}

/* Sends everything due; returns how many were taken. */
static size_t scan(struct outbox *ob)
{
    unsigned kinds = 1u << DELIVERY_WEBHOOK;
    if (ob->smtp_url)
        kinds |= 1u << DELIVERY_EMAIL;
    struct desk_send *v = NULL;
    size_t n = 0;
    int rc = desk_outbox_due(ob->d, kinds, BATCH, &v, &n);
    desk_reader_release(ob->d);
    if (rc) {
        log_error("outbox: cannot read due deliveries: %s", parley_strerror(rc));
        return 0;
    }
    for (size_t i = 0; i < n && !atomic_load(&ob->stopping); i++)
        deliver(ob, &v[i]);
    desk_outbox_free(v, n);
    return n;
}

static void *outbox_main(void *arg)
{
    struct outbox *ob = arg;
    int64_t seen = desk_last_event(ob->d), last_scan = 0;
    while (!atomic_load(&ob->stopping)) {
        int64_t now = clock_now_ms();
        if (desk_outbox_signalled(ob->d) || now - last_scan >= SCAN_MS) {
            last_scan = now;
            if (scan(ob) == BATCH)
                continue;       /* more may be due */
        }
        seen = desk_wait_events(ob->d, seen, TICK_MS);
    }
    return NULL;
}

int outbox_start(struct desk *d, const struct outbox_options *o, struct outbox **out, char **err)
{
    *out = NULL;
    char *from_addr = o->mail_from ? mail_address(o->mail_from) : NULL;
    if (o->smtp_url && !from_addr) {
        free(from_addr);
        *err = xstrdup(o->mail_from ? "--mail-from is not an e-mail address"
                                    : "--smtp needs --mail-from (the team's address)");
        return PL_EINVAL;
    }
    if (o->smtp_url && strncmp(o->smtp_url, "smtp://", 7) != 0 &&
        strncmp(o->smtp_url, "smtps://", 8) != 0) {
        free(from_addr);
        *err = xstrdup("--smtp wants smtp://host[:port] or smtps://host[:port]");
        return PL_EINVAL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(from_addr);
        *err = xstrdup("libcurl failed to initialise");
        return PL_EUNAVAIL;
    }
    struct outbox *ob = xcalloc(1, sizeof *ob);
    ob->d = d;
    ob->smtp_url = xstrdup(o->smtp_url);
    ob->smtp_user = xstrdup(o->smtp_user);
    ob->smtp_password = xstrdup(o->smtp_password);
    ob->from = xstrdup(o->mail_from);
    ob->from_addr = from_addr;
    ob->smtp = (struct smtp_config){ob->smtp_url, ob->smtp_user, ob->smtp_password,
                                    o->smtp_require_tls != 0, 60, &ob->stopping};
    desk_set_mail_from(d, o->smtp_url ? o->mail_from : NULL);
    if (pthread_create(&ob->thread, NULL, outbox_main, ob) != 0) {
        outbox_stop(ob);
        *err = xstrdup("cannot start the delivery thread");
        return PL_EUNAVAIL;
    }
    *out = ob;
    return 0;
}

static void outbox_free(struct outbox *ob)
{
    free(ob->smtp_url);
    free(ob->smtp_user);
    free(ob->smtp_password);
    free(ob->from);
    free(ob->from_addr);
    free(ob);
    curl_global_cleanup();
}

void outbox_stop(struct outbox *ob)
{
    if (!ob)
        return;
    if (ob->thread) {
        atomic_store(&ob->stopping, 1);
        pthread_join(ob->thread, NULL);
    }
    outbox_free(ob);
}
