/* outbox.c — the server's background channel work. The delivery thread
 * wakes when a commit queued a delivery (or at least every second, for
 * retries that come due), takes the due deliveries, sends each through
 * its channel and records the outcome with desk_outbox_result(). A crash
 * between sending and recording sends that one again on restart:
 * delivery is at least once, and exactly once while the process lives.
 * With --imap, a second thread polls a mailbox and files its unseen
 * messages (docs/channels.md). */
#include "outbox/outbox.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "channel/imap.h"
#include "channel/mail.h"
#include "channel/smtp.h"
#include "channel/webhook.h"
#include "desk/desk.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 32
#define TICK_MS 200            /* how often the thread looks at its stop flag */
#define SCAN_MS 1000           /* retries come due at most this late */
#define IMAP_BACKOFF_MS (15 * 60 * 1000)    /* the longest wait after failures */
#define IMAP_REJECTED "$ParleyRejected"     /* the keyword of a message not filed */

struct outbox {
    struct desk *d;
    struct smtp_config smtp;
    char *smtp_url, *smtp_user, *smtp_password, *from, *from_addr;
    pthread_t thread;
    atomic_int stopping;
    /* inbound mail by IMAP (poll_main) */
    struct imap_config imap;
    char *imap_url, *imap_password;
    char *mail_ca;              /* both clients' CA file, or NULL */
    int imap_interval_ms;
    pthread_t poller;
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

/* ---- inbound mail by IMAP ------------------------------------------------------ */

/* Files one message, fetched without touching its flags, and marks it
 * \Seen only once the desk committed it (or had it already: a crash
 * between the commit and the flag files nothing twice, the Message-ID
 * says so). A message the desk refuses for good is flagged \Seen and
 * IMAP_REJECTED, so it is not fetched again. Returns non-zero when the
 * round should end: the connection or the database is failing. */
static int file_one(struct outbox *ob, struct imap *s, int64_t uid)
{
    char *raw = NULL, *err = NULL;
    size_t len = 0;
    struct desk_ingest_result res;
    int rc = imap_fetch(s, uid, &raw, &len, &err);
    if (!rc) {
        struct desk_actor sys = DESK_SYSTEM;
        rc = desk_ingest_mail(ob->d, &sys, raw, len, &res, &err);
        free(raw);
    }
    const char *flags = "\\Seen", *why = err ? err : parley_strerror(rc);
    switch (rc) {
    case 0:
        log_info("imap: message %lld filed on ticket %lld", (long long)uid,
                 (long long)res.ticket_id);
        break;
    case PL_EEXISTS:
        log_info("imap: message %lld was filed before", (long long)uid);
        break;
    case PL_EPARSE: case PL_ETOOBIG: case PL_EINVAL: case PL_EUTF8:
        log_warn("imap: message %lld refused, flagged %s: %s", (long long)uid, IMAP_REJECTED,
                 why);
        flags = "\\Seen " IMAP_REJECTED;
        break;
    case PL_ENOTFOUND:          /* expunged since the search */
        free(err);
        return 0;
    default:
        log_warn("imap: message %lld not filed, left unseen: %s", (long long)uid, why);
        free(err);
        return rc;
    }
    free(err);
    err = NULL;
    if ((rc = imap_flag(s, uid, flags, &err)))
        log_warn("imap: message %lld: %s", (long long)uid, err);
    free(err);
    return rc;
}

/* One visit to the mailbox; 0 when nothing failed. */
static int poll_round(struct outbox *ob)
{
    struct imap *s = NULL;
    int64_t *uids = NULL;
    size_t n = 0;
    char *err = NULL;
    int rc = imap_open(&ob->imap, &s, &err);
    if (!rc)
        rc = imap_unseen(s, &uids, &n, &err);
    if (rc && !atomic_load(&ob->stopping))
        log_warn("imap: %s", err);
    free(err);
    for (size_t i = 0; i < n && !rc && !atomic_load(&ob->stopping); i++)
        rc = file_one(ob, s, uids[i]);
    free(uids);
    imap_close(s);
    desk_reader_release(ob->d);
    return rc;
}

/* Polls every interval; after a failure waits twice as long each time
 * (up to IMAP_BACKOFF_MS), so a wrong password or a server that is down
 * is logged, not hammered. */
static void *poll_main(void *arg)
{
    struct outbox *ob = arg;
    int64_t wait = ob->imap_interval_ms;
    while (!atomic_load(&ob->stopping)) {
        if (poll_round(ob) == 0) {
            wait = ob->imap_interval_ms;
        } else if (!atomic_load(&ob->stopping)) {
            wait = wait * 2 > IMAP_BACKOFF_MS ? IMAP_BACKOFF_MS : wait * 2;
            if (wait < ob->imap_interval_ms)
                wait = ob->imap_interval_ms;
            log_warn("imap: next attempt in %lld s", (long long)wait / 1000);
        }
        struct timespec tick = {0, TICK_MS * 1000000L};
        for (int64_t t = 0; t < wait && !atomic_load(&ob->stopping); t += TICK_MS)
            nanosleep(&tick, NULL);
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
    if (o->imap_url && imap_check_url(o->imap_url, err)) {
        free(from_addr);
        return PL_EINVAL;
    }
    FILE *ca = o->mail_ca ? fopen(o->mail_ca, "r") : NULL;
    if (o->mail_ca && !ca) {
        free(from_addr);
        *err = xasprintf("--mail-ca: cannot read %s: %s", o->mail_ca, strerror(errno));
        return PL_EINVAL;
    }
    if (ca)
        fclose(ca);
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
    ob->mail_ca = xstrdup(o->mail_ca);
    ob->smtp = (struct smtp_config){.url = ob->smtp_url,
                                    .user = ob->smtp_user,
                                    .password = ob->smtp_password,
                                    .require_tls = o->smtp_require_tls != 0,
                                    .ca_file = ob->mail_ca,
                                    .timeout_s = 60,
                                    .stop = &ob->stopping};
    ob->imap_url = xstrdup(o->imap_url);
    ob->imap_password = xstrdup(o->imap_password);
    ob->imap = (struct imap_config){.url = ob->imap_url,
                                    .password = ob->imap_password,
                                    .ca_file = ob->mail_ca,
                                    .require_tls = o->imap_require_tls != 0,
                                    .stop = &ob->stopping};
    ob->imap_interval_ms = (o->imap_interval_s > 0 ? o->imap_interval_s : 30) * 1000;
    desk_set_mail_from(d, o->smtp_url ? o->mail_from : NULL);
    if (pthread_create(&ob->thread, NULL, outbox_main, ob) != 0 ||
        (ob->imap_url && pthread_create(&ob->poller, NULL, poll_main, ob) != 0)) {
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
    free(ob->imap_url);
    free(ob->imap_password);
    free(ob->mail_ca);
    free(ob);
    curl_global_cleanup();
}

void outbox_stop(struct outbox *ob)
{
    if (!ob)
        return;
    atomic_store(&ob->stopping, 1);
    if (ob->thread)
        pthread_join(ob->thread, NULL);
    if (ob->poller)
        pthread_join(ob->poller, NULL);
    outbox_free(ob);
}
