/* tickets.c — the conversation use cases: ingest an inbound message,
 * reply, note, change a ticket, merge customers. Each public function runs
 * one transaction through desk_exec(); the *_tx() forms run inside a
 * transaction the caller owns (import). Every change writes an event. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "text/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX     (256 * 1024)
#define SUBJECT_MAX  1000
#define NAME_MAX_    200
#define CATEGORY_MAX 64
#define KEY_MAX      998

char *desk_json_text(json_t *j)
{
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

/* The row, its leaf in the log and its deliveries, from sealed texts. */
static int store_event(struct desk_tx *tx, const struct desk_actor *who, const char *type,
                       int64_t ticket_id, int64_t customer_id, int64_t message_id,
                       const char *before, const char *after, int64_t at)
{
    struct event e = {
        .type = (char *)type,
        .actor_kind = who->kind,
        .actor_id = who->id,
        .ticket_id = ticket_id,
        .customer_id = customer_id,
        .message_id = message_id,
        .before = (char *)before,
        .after = (char *)after,
        .created_at = at,
    };
    int rc = tx->st->ops->event_insert(tx->st, &e);
    if (rc == 0)
        rc = desk_ledger_append(tx, &e);
    if (rc == 0 && !tx->history)
        rc = desk_outbox_event(tx, &e);
    return rc;
}

int desk_event(struct desk_tx *tx, const struct desk_actor *who, const char *type,
               int64_t ticket_id, int64_t customer_id, int64_t message_id,
               const char *before, const char *after, int64_t at)
{
    /* Personal data is stored, and logged, sealed (personal.c). */
    char *sb = NULL, *sa = NULL;
    int rc = desk_personal_seal(tx, customer_id, before, after, &sb, &sa);
    if (rc == 0)
        rc = store_event(tx, who, type, ticket_id, customer_id, message_id,
                         sb ? sb : before, sa ? sa : after, at);
    free(sb);
    free(sa);
    return rc;
}

int desk_event_obj(struct desk_tx *tx, const struct desk_actor *who, const char *type,
                   int64_t ticket_id, int64_t customer_id, int64_t message_id,
                   json_t *before, json_t *after, int64_t at)
{
    int rc = desk_personal_seal_obj(tx, customer_id, before, after);
    char *b = desk_json_text(before), *a = desk_json_text(after);
    if (rc == 0)
        rc = store_event(tx, who, type, ticket_id, customer_id, message_id, b, a, at);
    free(b);
    free(a);
    return rc;
}

static int check_text(const char *s, size_t max, int required)
{
    if (!s)
        return required ? PL_EINVAL : 0;
    size_t n = strlen(s);
    if (required && n == 0)
        return PL_EINVAL;
    if (n > max)
        return PL_ETOOBIG;
    if (!utf8_valid(s, n))
        return PL_EUTF8;
    return 0;
}

static int is_staff(const struct desk_actor *who)
{
    if (who->kind == ACTOR_SYSTEM)
        return 1;
    return who->kind == ACTOR_USER &&
           (who->role == ROLE_ADMIN || who->role == ROLE_SUPERVISOR || who->role == ROLE_AGENT);
}

/* ---- ingest ---------------------------------------------------------- */

static int validate_inbound(const struct desk_inbound *in)
{
    int rc;
    if ((unsigned)in->channel >= CHANNEL__COUNT || (unsigned)in->id_kind >= IDENTITY__COUNT)
        return PL_EINVAL;
    if ((rc = check_text(in->body, BODY_MAX, 1)) || (rc = check_text(in->id_value, KEY_MAX, 1)) ||
        (rc = check_text(in->customer_name, NAME_MAX_, 0)) ||
        (rc = check_text(in->subject, SUBJECT_MAX, 0)) ||
        (rc = check_text(in->thread, KEY_MAX, 0)) ||
        (rc = check_text(in->external_id, KEY_MAX, 0)))
        return rc;
    return 0;
}

int desk_ingest_tx(struct desk_tx *tx, const struct desk_actor *who,
                   const struct desk_inbound *in, struct desk_ingest_result *out)
{
    struct store *st = tx->st;
    struct identity ident = {0};
    struct customer cust = {0};
    struct ticket t = {0};
    struct message m = {0};
    char *idval = NULL;
    int rc = validate_inbound(in);
    if (rc)
        return rc;
    int64_t now = in->created_at ? in->created_at : clock_now_ms();
    memset(out, 0, sizeof *out);

    idval = xstrdup(in->id_value);
    if ((rc = identity_normalize(in->id_kind, idval)))
        goto out;

    /* 1. The customer, by any identity. */
    rc = st->ops->identity_find(st, in->id_kind, idval, &ident);
    if (rc == 0) {
        if ((rc = st->ops->customer_get(st, ident.customer_id, &cust)))
            goto out;
        if (in->customer_name && *in->customer_name && !cust.name) {
            cust.name = xstrdup(in->customer_name);
            cust.updated_at = now;
            if ((rc = st->ops->customer_update(st, &cust)))
                goto out;
        }
    } else if (rc == PL_ENOTFOUND) {
        cust.name = in->customer_name && *in->customer_name ? xstrdup(in->customer_name) : NULL;
        cust.created_at = cust.updated_at = now;
        if ((rc = st->ops->customer_insert(st, &cust)))
            goto out;
        ident.customer_id = cust.id;
        ident.kind = in->id_kind;
        ident.value = xstrdup(idval);
        ident.created_at = now;
        if ((rc = st->ops->identity_insert(st, &ident)))
            goto out;
        rc = desk_event_obj(tx, who, "customer.created", 0, cust.id, 0, NULL,
                            json_pack("{s:I,s:s?,s:s,s:s}", "customer_id", (json_int_t)cust.id,
                                      "name", cust.name, "identity_kind",
                                      identity_kind_name(in->id_kind), "identity", idval),
                            now);
        if (rc)
            goto out;
        out->new_customer = true;
    } else {
        goto out;
    }
    out->customer_id = cust.id;

    /* 2. The open ticket of that thread, or a new one. */
    rc = st->ops->ticket_find_open(st, cust.id, in->channel, in->thread, &t);
    if (rc == PL_ENOTFOUND) {
        t.customer_id = cust.id;
        t.subject = xstrdup(in->subject);
        t.status = STATUS_NEW;
        t.priority = PRIORITY_NORMAL;
        t.channel = in->channel;
        t.thread = xstrdup(in->thread);
        t.created_at = t.updated_at = now;
        if ((rc = st->ops->ticket_insert(st, &t)))
            goto out;
        rc = desk_event_obj(tx, who, "ticket.created", t.id, cust.id, 0, NULL,
                            json_pack("{s:I,s:s?,s:s,s:s,s:s}", "customer_id",
                                      (json_int_t)cust.id, "subject", t.subject, "channel",
                                      channel_name(t.channel), "status", status_name(t.status),
                                      "priority", priority_name(t.priority)),
                            now);
        if (rc || (rc = desk_repeat_link_tx(tx, &t, now)))
            goto out;
        out->new_ticket = true;
    } else if (rc) {
        goto out;
    }
    out->ticket_id = t.id;

    /* 3. The message and its event. */
    m.ticket_id = t.id;
    m.kind = MESSAGE_INBOUND;
    m.channel = in->channel;
    m.author_customer_id = cust.id;
    m.body = xstrdup(in->body);
    m.external_id = xstrdup(in->external_id);
    m.analysis = xstrdup(in->analysis_json);
    m.created_at = now;
    if ((rc = st->ops->message_insert(st, &m)))
        goto out;
    out->message_id = m.id;
    json_t *ev = json_pack("{s:I,s:s,s:s,s:s?,s:o?}", "message_id", (json_int_t)m.id, "channel",
                           channel_name(m.channel), "body", m.body, "subject", in->subject,
                           "analysis",
                           in->analysis ? desk_analysis_summary(in->analysis) : NULL);
    if ((rc = desk_event_obj(tx, who, "message.inbound", t.id, cust.id, m.id, NULL, ev, now)))
        goto out;
    for (size_t i = 0; i < in->natt; i++) {
        struct attachment a = in->att[i];
        a.message_id = m.id;
        a.ticket_id = t.id;
        a.created_at = now;
        if ((rc = st->ops->attachment_insert(st, &a)))
            goto out;
    }

    /* 4. The ticket moves: a customer's answer ends "pending". */
    if (t.status == STATUS_PENDING) {
        t.status = STATUS_OPEN;
        if ((rc = desk_event(tx, who, "ticket.status", t.id, cust.id, 0, "{\"status\":\"pending\"}",
                             "{\"status\":\"open\"}", now)))
            goto out;
    }
    t.message_count++;
    t.updated_at = now;
    if ((rc = st->ops->ticket_update(st, &t)))
        goto out;

    /* 5. Triage: priority, category, SLA, route, escalation. */
    if (in->analysis)
        rc = desk_assess_tx(tx, who, &t, &cust, m.id, out->new_ticket, in->analysis, now, out);

out:
    free(idval);
    identity_clear(&ident);
    customer_clear(&cust);
    ticket_clear(&t);
    message_clear(&m);
    return rc;
}

struct ingest_args {
    const struct desk_actor *who;
    const struct desk_inbound *in;
    struct desk_ingest_result *out;
};

static int ingest_fn(struct desk_tx *tx, void *arg)
{
    struct ingest_args *a = arg;
    return desk_ingest_tx(tx, a->who, a->in, a->out);
}

int desk_ingest(struct desk *d, const struct desk_actor *who, const struct desk_inbound *in,
                struct desk_ingest_result *out)
{
    int rc = validate_inbound(in);
    if (rc)
        return rc;
    /* Analysis costs microseconds and needs no database: it runs here, in
     * the caller's thread, so the writer only writes. */
    struct desk_inbound with = *in;
    struct text_analysis an;
    struct buf json = BUF_INIT;
    if (d->text && !in->analysis) {
        const char *txt = in->analyze_text ? in->analyze_text : in->body;
        if (text_analyze(d->text, txt, strlen(txt), &an) == 0) {
            text_analysis_json(&an, &json);
            with.analysis = &an;
            with.analysis_json = json.ptr;
        }
    }
    struct ingest_args a = {who, &with, out};
    rc = desk_exec(d, ingest_fn, &a);
    buf_release(&json);
    return rc;
}

/* ---- replies and notes ---------------------------------------------------- */

int desk_post_tx(struct desk_tx *tx, const struct desk_actor *who, int64_t ticket_id,
                 enum message_kind kind, const char *body, int64_t at, int64_t *message_id)
{
    struct store *st = tx->st;
    struct ticket t = {0};
    struct message m = {0};
    int rc = check_text(body, BODY_MAX, 1);
    if (rc)
        return rc;
    if (!is_staff(who))
        return PL_EFORBIDDEN;
    if ((rc = st->ops->ticket_get(st, ticket_id, &t)))
        goto out;
    if (kind == MESSAGE_REPLY && t.status == STATUS_CLOSED) {
        rc = PL_ESTATE;
        goto out;
    }
    m.ticket_id = t.id;
    m.kind = kind;
    m.channel = t.channel;
    m.author_user_id = who->kind == ACTOR_USER ? who->id : 0;
    m.body = xstrdup(body);
    m.created_at = at;
    if ((rc = st->ops->message_insert(st, &m)))
        goto out;
    rc = desk_event_obj(tx, who, kind == MESSAGE_REPLY ? "message.reply" : "message.note", t.id,
                        t.customer_id, m.id, NULL,
                        json_pack("{s:I,s:s}", "message_id", (json_int_t)m.id, "body", m.body),
                        at);
    if (rc)
        goto out;
    if (kind == MESSAGE_REPLY) {
        if (!t.first_response_at)
            t.first_response_at = at;
        if (t.status == STATUS_NEW) {
            t.status = STATUS_OPEN;
            rc = desk_event(tx, who, "ticket.status", t.id, t.customer_id, 0,
                            "{\"status\":\"new\"}", "{\"status\":\"open\"}", at);
            if (rc)
                goto out;
        }
    }
    t.message_count++;
    t.updated_at = at;
    if ((rc = st->ops->ticket_update(st, &t)))
        goto out;
    if (message_id)
        *message_id = m.id;
out:
    ticket_clear(&t);
    message_clear(&m);
    return rc;
}

struct post_args {
    const struct desk_actor *who;
    int64_t ticket_id;
    enum message_kind kind;
    const char *body;
    int64_t *message_id;
};

static int post_fn(struct desk_tx *tx, void *arg)
{
    struct post_args *a = arg;
    return desk_post_tx(tx, a->who, a->ticket_id, a->kind, a->body, clock_now_ms(),
                        a->message_id);
}

static int post(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
                enum message_kind kind, const char *body, int64_t *message_id)
{
    int rc = check_text(body, BODY_MAX, 1);
    if (rc)
        return rc;
    if (!is_staff(who))
        return PL_EFORBIDDEN;
    struct post_args a = {who, ticket_id, kind, body, message_id};
    return desk_exec(d, post_fn, &a);
}

int desk_reply(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
               const char *body, int64_t *message_id)
{
    return post(d, who, ticket_id, MESSAGE_REPLY, body, message_id);
}

int desk_note(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
              const char *body, int64_t *message_id)
{
    return post(d, who, ticket_id, MESSAGE_NOTE, body, message_id);
}

/* ---- ticket changes ----------------------------------------------------- */

static int field_event(struct desk_tx *tx, const struct desk_actor *who, const struct ticket *t,
                       const char *type, json_t *before, json_t *after, int64_t at)
{
    char *b = desk_json_text(before), *a = desk_json_text(after);
    int rc = desk_event(tx, who, type, t->id, t->customer_id, 0, b, a, at);
    free(b);
    free(a);
    return rc;
}

int desk_update_ticket_tx(struct desk_tx *tx, const struct desk_actor *who, int64_t ticket_id,
                          const struct desk_ticket_patch *p, int64_t at)
{
    struct store *st = tx->st;
    struct ticket t = {0};
    struct user u = {0};
    int rc, changed = 0;
    if (!is_staff(who))
        return PL_EFORBIDDEN;
    if ((rc = st->ops->ticket_get(st, ticket_id, &t)))
        return rc;

    if (p->set_status && p->status != t.status) {
        if (!status_can_move(t.status, p->status)) {
            rc = PL_ESTATE;
            goto out;
        }
        enum ticket_status old = t.status;
        t.status = p->status;
        if (p->status == STATUS_RESOLVED)
            t.resolved_at = at;
        else if (p->status == STATUS_CLOSED)
            t.closed_at = at;
        else if (old == STATUS_RESOLVED || old == STATUS_CLOSED)
            t.resolved_at = t.closed_at = 0; /* reopened */
        rc = field_event(tx, who, &t, "ticket.status", json_pack("{s:s}", "status", status_name(old)),
                         json_pack("{s:s}", "status", status_name(t.status)), at);
        if (rc)
            goto out;
        changed = 1;
    }
    if (p->set_priority && p->priority != t.priority) {
        if ((unsigned)p->priority >= PRIORITY__COUNT) {
            rc = PL_EINVAL;
            goto out;
        }
        rc = field_event(tx, who, &t, "ticket.priority",
                         json_pack("{s:s}", "priority", priority_name(t.priority)),
                         json_pack("{s:s}", "priority", priority_name(p->priority)), at);
        if (rc)
            goto out;
        t.priority = p->priority;
        changed = 1;
    }
    if (p->set_assignee && p->assignee_id != t.assignee_id) {
        if (p->assignee_id) {
            rc = st->ops->user_get(st, p->assignee_id, &u);
            if (rc == 0 && (!u.active || u.role == ROLE_INTEGRATION))
                rc = PL_EINVAL;
            if (rc)
                goto out;
        }
        rc = field_event(tx, who, &t, "ticket.assignee",
                         json_pack("{s:I}", "assignee_id", (json_int_t)t.assignee_id),
                         json_pack("{s:I}", "assignee_id", (json_int_t)p->assignee_id), at);
        if (rc)
            goto out;
        t.assignee_id = p->assignee_id;
        changed = 1;
    }
    if (p->set_category) {
        const char *c = p->category && *p->category ? p->category : NULL;
        if ((rc = check_text(c, CATEGORY_MAX, 0)))
            goto out;
        if ((c == NULL) != (t.category == NULL) || (c && strcmp(c, t.category) != 0)) {
            rc = field_event(tx, who, &t, "ticket.category",
                             json_pack("{s:s?}", "category", t.category),
                             json_pack("{s:s?}", "category", c), at);
            if (rc)
                goto out;
            free(t.category);
            t.category = xstrdup(c);
            changed = 1;
        }
    }
    if (changed) {
        t.updated_at = at;
        rc = st->ops->ticket_update(st, &t);
    }
out:
    ticket_clear(&t);
    user_clear(&u);
    return rc;
}

struct update_args {
    const struct desk_actor *who;
    int64_t ticket_id;
    const struct desk_ticket_patch *p;
};

/* A live resolution (not an import) also offers the customer a survey. */
static int update_fn(struct desk_tx *tx, void *arg)
{
    struct update_args *a = arg;
    int64_t now = clock_now_ms();
    struct ticket before = {0};
    int rc = tx->st->ops->ticket_get(tx->st, a->ticket_id, &before);
    bool was_open = rc == 0 && status_is_open(before.status);
    ticket_clear(&before);
    if (rc == 0)
        rc = desk_update_ticket_tx(tx, a->who, a->ticket_id, a->p, now);
    if (rc == 0 && was_open && a->p->set_status &&
        (a->p->status == STATUS_RESOLVED || a->p->status == STATUS_CLOSED))
        rc = desk_survey_offer_tx(tx, a->ticket_id, now);
    return rc;
}

int desk_update_ticket(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
                       const struct desk_ticket_patch *p)
{
    if (!is_staff(who))
        return PL_EFORBIDDEN;
    struct update_args a = {who, ticket_id, p};
    return desk_exec(d, update_fn, &a);
}

/* ---- customers ---------------------------------------------------------- */

struct merge_args {
    const struct desk_actor *who;
    int64_t into, from;
};

static int merge_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    struct merge_args *a = arg;
    struct customer into = {0}, from = {0};
    int64_t now = clock_now_ms();
    int rc;
    if ((rc = st->ops->customer_get(st, a->into, &into)) ||
        (rc = st->ops->customer_get(st, a->from, &from)))
        goto out;
    if (into.merged_into || from.merged_into) {
        rc = PL_ESTATE;
        goto out;
    }
    if ((rc = st->ops->customer_move(st, from.id, into.id)))
        goto out;
    if (!into.name && from.name) {
        into.name = xstrdup(from.name);
        into.updated_at = now;
        if ((rc = st->ops->customer_update(st, &into)))
            goto out;
    }
    from.merged_into = into.id;
    from.updated_at = now;
    if ((rc = st->ops->customer_update(st, &from)))
        goto out;
    char *after = desk_json_text(json_pack("{s:I,s:I}", "from", (json_int_t)from.id, "into",
                                      (json_int_t)into.id));
    rc = desk_event(tx, a->who, "customer.merged", 0, into.id, 0, NULL, after, now);
    free(after);
out:
    customer_clear(&into);
    customer_clear(&from);
    return rc;
}

int desk_merge_customers(struct desk *d, const struct desk_actor *who, int64_t into,
                         int64_t from)
{
    if (!is_staff(who))
        return PL_EFORBIDDEN;
    if (into == from || into <= 0 || from <= 0)
        return PL_EINVAL;
    struct merge_args a = {who, into, from};
    return desk_exec(d, merge_fn, &a);
}
