/* outbox.c — the outbox's use cases: what a committed change must send,
 * queued in the change's own transaction; the due deliveries with what
 * their transport needs; each attempt recorded with exponential backoff;
 * forced retries; webhook subscriptions.
 *
 * Why in the transaction: a delivery row commits together with the event
 * that causes it, so nothing is lost (a crash after the commit leaves the
 * row queued) and nothing is sent for a change that rolled back. The
 * sending itself happens later, outside the writer, in the delivery
 * thread (src/outbox/). */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "channel/mail.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URL_MAX 2000
#define EVENTS_MAX 1000

void desk_set_mail_from(struct desk *d, const char *from)
{
    free(d->mail_from);
    d->mail_from = xstrdup(from);
}

void desk_outbox_close(struct desk *d)
{
    store_free_webhooks(d->hooks, d->nhooks);
    d->hooks = NULL;
    d->nhooks = 0;
    free(d->mail_from);
    d->mail_from = NULL;
}

bool desk_outbox_signalled(struct desk *d)
{
    return atomic_exchange(&d->outbox_signal, 0) != 0;
}

/* ---- what an event queues ------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Does the pattern (one entry of a subscription) cover event type? */
static bool pattern_matches(const char *pat, size_t n, const char *type)
{
    if (n == 1 && pat[0] == '*')
        return true;
    if (n >= 2 && pat[n - 1] == '*' && pat[n - 2] == '.')
        return strncmp(type, pat, n - 1) == 0;
    if (n == strlen("message.created") && strncmp(pat, "message.created", n) == 0)
        return starts_with(type, "message.") && strcmp(type, "message.note") != 0 &&
               strcmp(type, "message.analyzed") != 0;
    return strlen(type) == n && strncmp(pat, type, n) == 0;
}

static bool subscribed(const char *events, const char *type)
{
    const char *p = events;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (pattern_matches(p, n, type))
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* The JSON body of a webhook call for e (new text; caller frees). */
static char *event_payload(const struct event *e)
{
    char at[CLOCK_ISO_LEN];
    clock_format(e->created_at, at);
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "event_id", (json_int_t)e->id, "type", e->type,
                          "created_at", at, "actor_kind", actor_kind_name(e->actor_kind));
    json_object_set_new(j, "actor_id", e->actor_id ? json_integer(e->actor_id) : json_null());
    json_object_set_new(j, "ticket_id", e->ticket_id ? json_integer(e->ticket_id) : json_null());
    json_object_set_new(j, "customer_id",
                        e->customer_id ? json_integer(e->customer_id) : json_null());
    json_object_set_new(j, "message_id", e->message_id ? json_integer(e->message_id) : json_null());
    json_object_set_new(j, "before", e->before ? json_loads(e->before, 0, NULL) : json_null());
    json_object_set_new(j, "after", e->after ? json_loads(e->after, 0, NULL) : json_null());
    return desk_json_text(j);
}

static int load_hooks(struct desk_tx *tx)
{
    struct desk *d = tx->d;
    if (d->hooks_loaded && !atomic_exchange(&d->hooks_stale, 0))
        return 0;
    store_free_webhooks(d->hooks, d->nhooks);
    d->hooks = NULL;
    d->nhooks = 0;
    int rc = tx->st->ops->webhook_list(tx->st, &d->hooks, &d->nhooks);
    d->hooks_loaded = rc == 0;
    return rc;
}

/* The body is not stored: it is built from the event when it is sent, so
 * personal data stays sealed in the event alone (and an erasure reaches
 * calls not yet made). */
static int queue_webhooks(struct desk_tx *tx, const struct event *e)
{
    int rc = load_hooks(tx);
    for (size_t i = 0; rc == 0 && i < tx->d->nhooks; i++) {
        const struct webhook *w = &tx->d->hooks[i];
        if (!subscribed(w->events, e->type))
            continue;
        struct delivery dl = {
            .kind = DELIVERY_WEBHOOK, .status = DELIVERY_QUEUED, .ticket_id = e->ticket_id,
            .message_id = e->message_id, .event_id = e->id, .webhook_id = w->id,
            .next_attempt_at = e->created_at, .created_at = e->created_at};
        rc = tx->st->ops->delivery_insert(tx->st, &dl);
        atomic_store(&tx->d->outbox_signal, 1);
    }
    return rc;
}

/* Events that carry a message id but never introduce an outbound one. */
static bool never_outbound(const char *type)
{
    return starts_with(type, "ticket.") || starts_with(type, "delivery.") ||
           !strcmp(type, "message.inbound") || !strcmp(type, "message.note") ||
           !strcmp(type, "message.analyzed");
}

/* Any outbound message on an e-mail ticket — an agent's reply, a survey,
 * whatever wrote it — except internal notes, is mailed once. */
static int queue_email(struct desk_tx *tx, const struct event *e)
{
    if (!e->message_id || never_outbound(e->type))
        return 0;
    struct message m = {0};
    int rc = tx->st->ops->message_get(tx->st, e->message_id, &m);
    if (rc == 0 && m.channel == CHANNEL_EMAIL && m.kind != MESSAGE_INBOUND &&
        m.kind != MESSAGE_NOTE) {
        struct delivery dl = {
            .kind = DELIVERY_EMAIL, .status = DELIVERY_QUEUED, .message_id = m.id,
            .ticket_id = m.ticket_id, .next_attempt_at = e->created_at,
            .created_at = e->created_at,
            .last_error = tx->d->mail_from ? NULL
                          : "waiting: no SMTP server is configured (parley serve --smtp)"};
        rc = tx->st->ops->delivery_insert(tx->st, &dl);
        if (rc == PL_EEXISTS)   /* already queued by an earlier event */
            rc = 0;
        atomic_store(&tx->d->outbox_signal, 1);
    }
    message_clear(&m);
    return rc;
}

int desk_outbox_event(struct desk_tx *tx, const struct event *e)
{
    int rc = queue_email(tx, e);
    if (rc == 0)
        rc = queue_webhooks(tx, e);
    return rc;
}

/* ---- due deliveries --------------------------------------------------------------- */

/* The Message-ID of the customer's last mail before message `before` on
 * ticket t (new string, without brackets), or NULL. */
static char *last_customer_mail(struct store *st, int64_t ticket_id, int64_t before)
{
    struct message *m = NULL;
    size_t n = 0;
    char *id = NULL;
    if (st->ops->message_list(st, ticket_id, &m, &n) != 0)
        return NULL;
    for (size_t i = n; i > 0 && !id; i--) {
        const struct message *x = &m[i - 1];
        if (x->id < before && x->kind == MESSAGE_INBOUND && x->external_id &&
            starts_with(x->external_id, "mail:"))
            id = xstrdup(x->external_id + 5);
    }
    store_free_messages(m, n);
    return id;
}

static char *customer_email(struct store *st, int64_t customer_id)
{
    struct identity *v = NULL;
    size_t n = 0;
    char *addr = NULL;
    if (st->ops->identity_list(st, customer_id, &v, &n) != 0)
        return NULL;
    for (size_t i = 0; i < n && !addr; i++)
        if (v[i].kind == IDENTITY_EMAIL)
            addr = xstrdup(v[i].value);
    store_free_identities(v, n);
    return addr;
}

static void resolve_email(struct desk *d, struct store *st, struct desk_send *s)
{
    struct message m = {0};
    struct ticket t = {0};
    struct customer c = {0};
    if (st->ops->message_get(st, s->dl.message_id, &m) ||
        st->ops->ticket_get(st, m.ticket_id, &t) || st->ops->customer_get(st, t.customer_id, &c)) {
        s->fail = xstrdup("the message or its ticket is gone");
        goto out;
    }
    s->to = customer_email(st, c.id);
    if (!s->to) {
        s->fail = xstrdup("the customer has no e-mail address");
        goto out;
    }
    s->to_name = xstrdup(c.name);
    s->from = xstrdup(d->mail_from);
    const char *subj = t.subject && *t.subject ? t.subject : NULL;
    if (subj && strncasecmp(subj, "Re:", 3) == 0)
        s->subject = xstrdup(subj);
    else if (subj)
        s->subject = xasprintf("Re: %s", subj);
    else
        s->subject = xasprintf("Re: your request #%lld", (long long)t.id);
    s->message_id = mail_parley_id(m.id, t.id, d->mail_from);
    s->in_reply_to = last_customer_mail(st, t.id, m.id);
    const char *root = t.thread && starts_with(t.thread, "mail:") ? t.thread + 5 : NULL;
    if (root && s->in_reply_to && strcmp(root, s->in_reply_to) != 0)
        s->references = xasprintf("<%s> <%s>", root, s->in_reply_to);
    else if (s->in_reply_to || root)
        s->references = xasprintf("<%s>", s->in_reply_to ? s->in_reply_to : root);
    s->body = m.body;
    m.body = NULL;
out:
    message_clear(&m);
    ticket_clear(&t);
    customer_clear(&c);
}

static void resolve_webhook(struct desk *d, struct store *st, struct desk_send *s)
{
    struct webhook w = {0};
    struct event e = {0};
    if (st->ops->webhook_get(st, s->dl.webhook_id, &w) != 0) {
        s->fail = xstrdup("the webhook was deleted");
        return;
    }
    s->url = w.url;
    s->secret = w.secret;
    w.url = w.secret = NULL;
    webhook_clear(&w);
    if (st->ops->event_get(st, s->dl.event_id, &e) != 0) {
        s->fail = xstrdup("the event is gone");
        return;
    }
    desk_events_open(d, st, &e, 1);   /* erased: stays sealed */
    s->event_type = xstrdup(e.type);
    free(s->dl.payload);
    s->dl.payload = event_payload(&e);
    event_clear(&e);
}

int desk_outbox_due(struct desk *d, unsigned kinds, int limit, struct desk_send **out,
                    size_t *n)
{
    *out = NULL;
    *n = 0;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    struct delivery *v = NULL;
    size_t k = 0;
    int rc = st->ops->delivery_due(st, clock_now_ms(), kinds, limit, &v, &k);
    if (rc)
        return rc;
    struct desk_send *s = k ? xcalloc(k, sizeof *s) : NULL;
    for (size_t i = 0; i < k; i++) {
        s[i].dl = v[i];
        if (v[i].kind == DELIVERY_EMAIL)
            resolve_email(d, st, &s[i]);
        else
            resolve_webhook(d, st, &s[i]);
    }
    free(v);   /* the rows moved into s */
    *out = s;
    *n = k;
    return 0;
}

void desk_outbox_free(struct desk_send *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct desk_send *s = &v[i];
        delivery_clear(&s->dl);
        char *strs[] = {s->fail, s->from, s->to, s->to_name, s->subject, s->message_id,
                        s->in_reply_to, s->references, s->body, s->url, s->secret,
                        s->event_type};
        for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
            free(strs[j]);
    }
    free(v);
}

/* ---- attempts ------------------------------------------------------------------------ */

/* Delay before attempt number attempts + 1. */
static int64_t backoff_ms(int attempts)
{
    int64_t ms = DESK_OUTBOX_BACKOFF_MS;
    for (int i = 1; i < attempts && ms < DESK_OUTBOX_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < DESK_OUTBOX_BACKOFF_MAX_MS ? ms : DESK_OUTBOX_BACKOFF_MAX_MS;
}

static json_t *delivery_after(const struct delivery *dl)
{
    return json_pack("{s:I,s:I,s:s?}", "delivery_id", (json_int_t)dl->id, "attempts",
                     (json_int_t)dl->attempts, "error", dl->last_error);
}

struct result_args {
    int64_t id;
    const char *err;
    bool permanent;
};

static int result_fn(struct desk_tx *tx, void *arg)
{
    struct result_args *a = arg;
    struct delivery dl = {0};
    int64_t now = clock_now_ms();
    int rc = tx->st->ops->delivery_get(tx->st, a->id, &dl);
    if (rc)
        return rc;
    dl.attempts++;
    dl.updated_at = now;
    free(dl.last_error);
    dl.last_error = a->err ? utf8_valid(a->err, strlen(a->err)) ? xstrdup(a->err)
                                                                : xstrdup("(not UTF-8)")
                           : NULL;
    if (!a->err)
        dl.status = DELIVERY_SENT;
    else if (a->permanent || dl.attempts >= DESK_OUTBOX_ATTEMPTS)
        dl.status = DELIVERY_FAILED;
    else
        dl.status = DELIVERY_RETRYING;
    dl.next_attempt_at = dl.status == DELIVERY_RETRYING ? now + backoff_ms(dl.attempts) : 0;
    rc = tx->st->ops->delivery_update(tx->st, &dl);
    /* The final state of a customer's e-mail belongs to the ticket's history. */
    if (rc == 0 && dl.kind == DELIVERY_EMAIL && dl.status != DELIVERY_RETRYING) {
        struct ticket t = {0};
        if (tx->st->ops->ticket_get(tx->st, dl.ticket_id, &t) == 0) {
            char *after = desk_json_text(delivery_after(&dl));
            struct desk_actor sys = DESK_SYSTEM;
            rc = desk_event(tx, &sys, dl.status == DELIVERY_SENT ? "delivery.sent"
                                                                 : "delivery.failed",
                            t.id, t.customer_id, dl.message_id, NULL, after, now);
            free(after);
        }
        ticket_clear(&t);
    }
    delivery_clear(&dl);
    return rc;
}

int desk_outbox_result(struct desk *d, int64_t id, const char *err, bool permanent)
{
    struct result_args a = {id, err, permanent};
    return desk_exec(d, result_fn, &a);
}

struct retry_args {
    const struct desk_actor *who;
    int64_t message_id;
};

static int retry_fn(struct desk_tx *tx, void *arg)
{
    struct retry_args *a = arg;
    struct delivery dl = {0};
    int64_t now = clock_now_ms();
    int rc = tx->st->ops->delivery_of_message(tx->st, a->message_id, &dl);
    if (rc)
        return rc;
    if (dl.status == DELIVERY_SENT) {
        delivery_clear(&dl);
        return PL_ESTATE;
    }
    json_t *before = json_pack("{s:s,s:I}", "status", dl.status == DELIVERY_FAILED ? "failed"
                                                      : dl.status == DELIVERY_RETRYING ? "retrying"
                                                                                       : "queued",
                               "attempts", (json_int_t)dl.attempts);
    dl.status = DELIVERY_QUEUED;
    dl.attempts = 0;            /* a fresh budget of attempts */
    dl.next_attempt_at = now;
    dl.updated_at = now;
    rc = tx->st->ops->delivery_update(tx->st, &dl);
    struct ticket t = {0};
    if (rc == 0 && (rc = tx->st->ops->ticket_get(tx->st, dl.ticket_id, &t)) == 0) {
        char *b = desk_json_text(before), *af = desk_json_text(delivery_after(&dl));
        before = NULL;
        rc = desk_event(tx, a->who, "delivery.retry", t.id, t.customer_id, dl.message_id, b, af,
                        now);
        free(b);
        free(af);
    }
    json_decref(before);
    ticket_clear(&t);
    delivery_clear(&dl);
    atomic_store(&tx->d->outbox_signal, 1);
    return rc;
}

int desk_outbox_retry(struct desk *d, const struct desk_actor *who, int64_t message_id)
{
    if (who->kind != ACTOR_USER && who->kind != ACTOR_SYSTEM)
        return PL_EFORBIDDEN;
    struct retry_args a = {who, message_id};
    return desk_exec(d, retry_fn, &a);
}

/* ---- webhook subscriptions ----------------------------------------------------------------- */

/* Event lists: "*", or comma-separated names like "ticket.created" or
 * "ticket.*" made of lower-case letters, digits, '_' and one '.'. */
static bool valid_events(const char *s)
{
    if (!s || !*s || strlen(s) > EVENTS_MAX)
        return false;
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (!(n == 1 && *p == '*')) {
            const char *dot = memchr(p, '.', n);
            if (!dot || dot == p || dot == p + n - 1)
                return false;
            for (const char *c = p; c < p + n; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                      c == dot || (*c == '*' && c == p + n - 1 && c == dot + 1)))
                    return false;
        }
        p += n;
        if (*p == ',' && !*++p)
            return false;
    }
    return true;
}

static bool valid_url(const char *u)
{
    if (!u || strlen(u) > URL_MAX || !utf8_valid(u, strlen(u)))
        return false;
    const char *host = starts_with(u, "https://") ? u + 8 : starts_with(u, "http://") ? u + 7 : NULL;
    if (!host || !*host || *host == '/')
        return false;
    for (const char *c = u; *c; c++)
        if ((unsigned char)*c <= ' ')
            return false;
    return true;
}

struct hook_args {
    const struct desk_actor *who;
    struct webhook *w;
    int64_t id;
};

static int hook_add_fn(struct desk_tx *tx, void *arg)
{
    struct hook_args *a = arg;
    int rc = tx->st->ops->webhook_insert(tx->st, a->w);
    if (rc)
        return rc;
    atomic_store(&tx->d->hooks_stale, 1);
    char *after = desk_json_text(json_pack("{s:I,s:s,s:s}", "webhook_id", (json_int_t)a->w->id,
                                           "url", a->w->url, "events", a->w->events));
    rc = desk_event(tx, a->who, "webhook.created", 0, 0, 0, NULL, after, a->w->created_at);
    free(after);
    return rc;
}

static int hook_delete_fn(struct desk_tx *tx, void *arg)
{
    struct hook_args *a = arg;
    int rc = tx->st->ops->webhook_delete(tx->st, a->id);
    if (rc)
        return rc;
    atomic_store(&tx->d->hooks_stale, 1);
    char *after = desk_json_text(json_pack("{s:I}", "webhook_id", (json_int_t)a->id));
    rc = desk_event(tx, a->who, "webhook.deleted", 0, 0, 0, NULL, after, clock_now_ms());
    free(after);
    return rc;
}

static bool is_admin(const struct desk_actor *who)
{
    return who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN);
}

static bool valid_secret(const char *s)
{
    size_t n = strlen(s);
    if (n < 16 || n > 200)
        return false;
    for (const char *c = s; *c; c++)
        if (*c <= ' ' || *c > '~')
            return false;
    return true;
}

int desk_webhook_add(struct desk *d, const struct desk_actor *who, const char *url,
                     const char *events, const char *secret, struct webhook *out)
{
    memset(out, 0, sizeof *out);
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (!valid_url(url) || !valid_events(events) || (secret && !valid_secret(secret)))
        return PL_EINVAL;
    unsigned char key[32];
    char hex[65];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    out->url = xstrdup(url);
    out->events = xstrdup(events);
    out->secret = secret ? xstrdup(secret) : xasprintf("whsec_%s", hex);
    out->created_by = who->kind == ACTOR_USER ? who->id : 0;
    out->created_at = clock_now_ms();
    struct hook_args a = {who, out, 0};
    int rc = desk_exec(d, hook_add_fn, &a);
    /* Whatever the outcome, the next event reads the committed list. */
    atomic_store(&d->hooks_stale, 1);
    if (rc)
        webhook_clear(out);
    return rc;
}

int desk_webhook_delete(struct desk *d, const struct desk_actor *who, int64_t id)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    struct hook_args a = {who, NULL, id};
    int rc = desk_exec(d, hook_delete_fn, &a);
    atomic_store(&d->hooks_stale, 1);
    return rc;
}
