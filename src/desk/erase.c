/* erase.c — a customer's right to be forgotten and to their data:
 * erasure that keeps the tamper-evident log verifiable, and export of
 * everything stored about a customer as one JSON document.
 *
 * Erasure destroys the customer's key (their sealed event fields become
 * opaque ciphertext, still hashed by the log exactly as before) and
 * replaces the plaintext copies in customers, identities, tickets and
 * messages with a tombstone, in one transaction that also logs
 * customer.erased. docs/ledger.md "Erasure" says what each backend
 * guarantees about old copies in its files. */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TOMBSTONE "[erased]"

static int is_admin(const struct desk_actor *who)
{
    return who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN);
}

static int may_export(const struct desk_actor *who)
{
    return is_admin(who) || (who->kind == ACTOR_USER && who->role == ROLE_SUPERVISOR);
}

/* ---- erasure ------------------------------------------------------------- */

struct erase_args {
    const struct desk_actor *who;
    int64_t id;
    struct desk_erase_result *out;
};

/* Erases id and, breadth first, every customer merged into it; *merged
 * receives the ids erased after id. */
static int erase_all(struct store *st, int64_t id, int64_t now, struct desk_erase_result *out,
                     json_t *merged)
{
    int64_t *queue = xmalloc(sizeof *queue);
    size_t n = 1, cap = 1;
    int rc = 0;
    queue[0] = id;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t tickets = 0, messages = 0, *more = NULL;
        size_t nmore = 0;
        if ((rc = st->ops->customer_erase(st, queue[i], TOMBSTONE, now, &tickets, &messages)) ||
            (rc = st->ops->customer_merged(st, queue[i], &more, &nmore)))
            break;
        out->tickets += tickets;
        out->messages += messages;
        if (i > 0) {
            out->merged++;
            json_array_append_new(merged, json_integer(queue[i]));
        }
        if (n + nmore > cap) {
            cap = n + nmore;
            queue = xrealloc(queue, cap * sizeof *queue);
        }
        for (size_t j = 0; j < nmore; j++)
            if (more[j] != id)  /* merge refuses cycles; never loop on one */
                queue[n++] = more[j];
        free(more);
    }
    free(queue);
    return rc;
}

static int erase_fn(struct desk_tx *tx, void *arg)
{
    struct erase_args *a = arg;
    struct store *st = tx->st;
    struct customer c = {0};
    char *wrapped = NULL;
    int64_t erased_at = 0, now = clock_now_ms();
    int rc = st->ops->customer_get(st, a->id, &c);
    if (rc)
        return rc;
    int64_t merged_into = c.merged_into;
    customer_clear(&c);
    if (merged_into)
        return PL_ESTATE;
    rc = st->ops->customer_key_get(st, a->id, &wrapped, &erased_at);
    free(wrapped);
    if (rc == 0 && erased_at)
        return PL_EEXISTS;
    if (rc && rc != PL_ENOTFOUND)
        return rc;

    memset(a->out, 0, sizeof *a->out);
    a->out->customer_id = a->id;
    a->out->erased_at = now;
    json_t *merged = json_array();
    rc = erase_all(st, a->id, now, a->out, merged);
    desk_personal_forget(tx->d->datakey);
    if (rc) {
        json_decref(merged);
        return rc;
    }
    char *after = desk_json_text(json_pack("{s:I,s:o,s:I,s:I}", "customer_id", (json_int_t)a->id,
                                           "merged", merged, "tickets",
                                           (json_int_t)a->out->tickets, "messages",
                                           (json_int_t)a->out->messages));
    rc = desk_event(tx, a->who, "customer.erased", 0, a->id, 0, NULL, after, now);
    free(after);
    return rc;
}

int desk_customer_erase(struct desk *d, const struct desk_actor *who, int64_t id,
                        struct desk_erase_result *out)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (id <= 0)
        return PL_ENOTFOUND;
    struct erase_args a = {who, id, out};
    int rc = desk_exec(d, erase_fn, &a);
    if (rc)
        return rc;
    struct store *st = desk_reader(d);
    int src = st ? st->ops->scrub(st) : PL_EUNAVAIL;
    if (src)
        log_warn("erase: customer %lld erased, but old row versions may remain until the next "
                 "checkpoint/vacuum: %s", (long long)id,
                 st ? store_errmsg(st) : parley_strerror(src));
    out->scrubbed = src == 0;
    return 0;
}

/* ---- export -------------------------------------------------------------- */

static json_t *iso(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[CLOCK_ISO_LEN];
    clock_format(ms, s);
    return json_string(s);
}

static json_t *export_customer(const struct customer *c, int64_t erased_at)
{
    json_t *j = json_pack("{s:I,s:s?,s:s?,s:s?,s:o,s:o,s:b}", "id", (json_int_t)c->id, "name",
                          c->name, "tier", c->tier, "language", c->language, "created_at",
                          iso(c->created_at), "updated_at", iso(c->updated_at), "erased",
                          erased_at != 0);
    json_object_set_new(j, "erased_at", iso(erased_at));
    return j;
}

static int export_identities(struct store *st, int64_t id, json_t *doc)
{
    struct identity *v = NULL;
    size_t n = 0;
    int rc = st->ops->identity_list(st, id, &v, &n);
    json_t *arr = json_array();
    for (size_t i = 0; rc == 0 && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "kind",
                                             identity_kind_name(v[i].kind), "value", v[i].value,
                                             "created_at", iso(v[i].created_at)));
    store_free_identities(v, n);
    json_object_set_new(doc, "identities", arr);
    return rc;
}

static json_t *export_messages(struct store *st, int64_t ticket_id, int *rc)
{
    struct message *m = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if ((*rc = st->ops->message_list(st, ticket_id, &m, &n)))
        return arr;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)m[i].id, "kind",
                              message_kind_name(m[i].kind), "channel",
                              channel_name(m[i].channel), "body", m[i].body, "created_at",
                              iso(m[i].created_at));
        json_object_set_new(j, "author_user_id",
                            m[i].author_user_id ? json_integer(m[i].author_user_id) : json_null());
        json_array_append_new(arr, j);
    }
    store_free_messages(m, n);
    return arr;
}

static int export_tickets(struct store *st, int64_t id, json_t *doc)
{
    json_t *arr = json_array();
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.customer_id = id;
    f.sort = TSORT_CREATED;
    f.ascending = 1;
    f.limit = 500;
    int rc = 0;
    for (;;) {
        struct ticket *t = NULL;
        size_t n = 0;
        if ((rc = st->ops->ticket_list(st, &f, &t, &n)))
            break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            json_t *j = json_pack("{s:I,s:s?,s:s,s:s,s:s?,s:s,s:o,s:o,s:o}", "id",
                                  (json_int_t)t[i].id, "subject", t[i].subject, "status",
                                  status_name(t[i].status), "priority",
                                  priority_name(t[i].priority), "category", t[i].category,
                                  "channel", channel_name(t[i].channel), "created_at",
                                  iso(t[i].created_at), "resolved_at", iso(t[i].resolved_at),
                                  "closed_at", iso(t[i].closed_at));
            json_object_set_new(j, "messages", export_messages(st, t[i].id, &rc));
            json_array_append_new(arr, j);
        }
        if (n) {
            f.has_cursor = 1;
            f.cursor_key = ticket_sort_key(f.sort, &t[n - 1]);
            f.cursor_id = t[n - 1].id;
        }
        store_free_tickets(t, n);
        if (rc || n < (size_t)f.limit)
            break;
    }
    json_object_set_new(doc, "tickets", arr);
    return rc;
}

static json_t *parsed(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : json_null();
}

/* One event, opened by desk_events_open(); what is still sealed (an
 * erased customer's fields) is shown as stored and marked so. */
static json_t *export_event(const struct event *e)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "id", (json_int_t)e->id,
                          "type", e->type, "actor_kind", actor_kind_name(e->actor_kind),
                          "actor_id", (json_int_t)e->actor_id, "ticket_id",
                          (json_int_t)e->ticket_id, "customer_id", (json_int_t)e->customer_id,
                          "message_id", (json_int_t)e->message_id, "created_at",
                          iso(e->created_at), "before", parsed(e->before), "after",
                          parsed(e->after));
    if ((e->before && strstr(e->before, "\"sealed\":")) ||
        (e->after && strstr(e->after, "\"sealed\":")))
        json_object_set_new(j, "sealed_unreadable", json_true());
    return j;
}

static int export_events(struct desk *d, struct store *st, int64_t id, json_t *doc)
{
    json_t *events = json_array(), *receipts = json_array();
    int64_t *ids = NULL;
    size_t nids = 0;
    int rc = st->ops->customer_merged(st, id, &ids, &nids);
    ids = xrealloc(ids, (nids + 1) * sizeof *ids);
    ids[nids++] = id;
    int receipts_ok = 1;
    for (size_t k = 0; k < nids && rc == 0; k++) {
        struct event_filter f = {.customer_id = ids[k], .limit = 1000};
        for (;;) {
            struct event *e = NULL;
            size_t n = 0;
            if ((rc = st->ops->event_list(st, &f, &e, &n)))
                break;
            desk_events_open(d, st, e, n);
            for (size_t i = 0; i < n; i++) {
                json_array_append_new(events, export_event(&e[i]));
                char *receipt = NULL;
                if (receipts_ok && desk_ledger_receipt(d, e[i].id, &receipt) == 0)
                    json_array_append_new(receipts, json_loads(receipt, 0, NULL));
                else
                    receipts_ok = 0; /* no signing key: no receipts at all */
                free(receipt);
            }
            if (n)
                f.after_id = e[n - 1].id;
            store_free_events(e, n);
            if (n < (size_t)f.limit)
                break;
        }
    }
    free(ids);
    json_object_set_new(doc, "events", events);
    if (!receipts_ok) {
        json_decref(receipts);
        receipts = json_null();
    }
    json_object_set_new(doc, "receipts", receipts);
    return rc;
}

int desk_customer_export(struct desk *d, const struct desk_actor *who, int64_t id,
                         char **json)
{
    *json = NULL;
    if (!may_export(who))
        return PL_EFORBIDDEN;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    struct customer c = {0};
    char *wrapped = NULL;
    int64_t erased_at = 0;
    int rc = st->ops->customer_get(st, id, &c);
    if (rc)
        return rc;
    if ((rc = st->ops->customer_key_get(st, id, &wrapped, &erased_at)) == PL_ENOTFOUND)
        rc = 0;
    free(wrapped);
    json_t *doc = json_pack("{s:s,s:o,s:o}", "format", "parley-export/v1", "exported_at",
                            iso(clock_now_ms()), "customer", export_customer(&c, erased_at));
    if (c.merged_into)
        json_object_set_new(doc, "merged_into", json_integer(c.merged_into));
    customer_clear(&c);
    if (rc == 0 && (rc = export_identities(st, id, doc)) == 0 &&
        (rc = export_tickets(st, id, doc)) == 0)
        rc = export_events(d, st, id, doc);
    if (rc == 0)
        *json = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return rc;
}
