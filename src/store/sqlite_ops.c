/* sqlite_ops.c — the SQLite backend's data operations (customers,
 * identities, tickets, messages, events, users, sessions, API keys,
 * settings) and its ops table. Every statement comes from the per
 * connection cache (sq__stmt) and is reset before returning. */
#include "store/ledger_internal.h"
#include "store/sqlite_internal.h"
#include "store/keys_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- row readers (column order: the *_COLS macros) ------------------- */
/* Each zeroes its struct first: the out struct may be uninitialised, and a
 * field the schema does not (yet) hold reads as 0 / NULL, never garbage. */

static void read_customer(sqlite3_stmt *q, struct customer *c)
{
    memset(c, 0, sizeof *c);
    c->id = col_i64(q, 0);
    c->name = col_str(q, 1);
    c->tier = col_str(q, 2);
    c->language = col_str(q, 3);
    c->merged_into = col_i64(q, 4);
    c->created_at = col_i64(q, 5);
    c->updated_at = col_i64(q, 6);
}

static void read_identity(sqlite3_stmt *q, struct identity *i)
{
    memset(i, 0, sizeof *i);
    i->id = col_i64(q, 0);
    i->customer_id = col_i64(q, 1);
    i->kind = (enum identity_kind)col_int(q, 2);
    i->value = col_str(q, 3);
    i->created_at = col_i64(q, 4);
}

static void read_ticket(sqlite3_stmt *q, struct ticket *t)
{
    memset(t, 0, sizeof *t);
    t->id = col_i64(q, 0);
    t->customer_id = col_i64(q, 1);
    t->subject = col_str(q, 2);
    t->status = (enum ticket_status)col_int(q, 3);
    t->priority = (enum priority)col_int(q, 4);
    t->category = col_str(q, 5);
    t->channel = (enum channel)col_int(q, 6);
    t->thread = col_str(q, 7);
    t->language = col_str(q, 8);
    t->assignee_id = col_i64(q, 9);
    t->sla_first_due = col_i64(q, 10);
    t->sla_next_due = col_i64(q, 11);
    t->sla_resolve_due = col_i64(q, 12);
    t->created_at = col_i64(q, 13);
    t->updated_at = col_i64(q, 14);
    t->first_response_at = col_i64(q, 15);
    t->resolved_at = col_i64(q, 16);
    t->closed_at = col_i64(q, 17);
    t->message_count = col_int(q, 18);
    t->emotion = col_str(q, 19);
    t->hostility = col_int(q, 20);
    t->escalated = col_int(q, 21) != 0;
    t->triage = col_str(q, 22);
}

static void read_message(sqlite3_stmt *q, struct message *m)
{
    memset(m, 0, sizeof *m);
    m->id = col_i64(q, 0);
    m->ticket_id = col_i64(q, 1);
    m->kind = (enum message_kind)col_int(q, 2);
    m->channel = (enum channel)col_int(q, 3);
    m->author_user_id = col_i64(q, 4);
    m->author_customer_id = col_i64(q, 5);
    m->body = col_str(q, 6);
    m->external_id = col_str(q, 7);
    m->analysis = col_str(q, 8);
    m->created_at = col_i64(q, 9);
}

static void read_event(sqlite3_stmt *q, struct event *e)
{
    memset(e, 0, sizeof *e);
    e->id = col_i64(q, 0);
    e->type = col_str(q, 1);
    e->actor_kind = (enum actor_kind)col_int(q, 2);
    e->actor_id = col_i64(q, 3);
    e->ticket_id = col_i64(q, 4);
    e->customer_id = col_i64(q, 5);
    e->message_id = col_i64(q, 6);
    e->before = col_str(q, 7);
    e->after = col_str(q, 8);
    e->created_at = col_i64(q, 9);
}

static void read_user(sqlite3_stmt *q, struct user *u)
{
    memset(u, 0, sizeof *u);
    u->id = col_i64(q, 0);
    u->email = col_str(q, 1);
    u->name = col_str(q, 2);
    u->role = (enum role)col_int(q, 3);
    u->skills = col_str(q, 4);
    u->languages = col_str(q, 5);
    u->password_hash = col_str(q, 6);
    u->active = col_int(q, 7) != 0;
    u->created_at = col_i64(q, 8);
}

static void read_apikey(sqlite3_stmt *q, struct apikey *k)
{
    memset(k, 0, sizeof *k);
    k->id = col_i64(q, 0);
    k->name = col_str(q, 1);
    k->role = (enum role)col_int(q, 2);
    k->created_by = col_i64(q, 3);
    k->created_at = col_i64(q, 4);
    k->revoked = col_int(q, 5);
}

/* ---- generic get / list / write --------------------------------------- */

typedef void (*reader_fn)(sqlite3_stmt *q, void *out);

/* Steps a bound statement for one row into out; PL_ENOTFOUND if none. */
static int get_one(struct sq *s, sqlite3_stmt *q, reader_fn read, void *out)
{
    int rc = sq__next(s, q);
    if (rc == 1) {
        read(q, out);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

/* Reads every row of a bound statement into a new array of elements of
 * size `size`; on error frees what was read with `clear`. */
static int get_all(struct sq *s, sqlite3_stmt *q, reader_fn read, void (*clear)(void *),
                   size_t size, void **out, size_t *n)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    int rc;

    while ((rc = sq__next(s, q)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * size);
        }
        memset(v + len * size, 0, size);
        read(q, v + len * size);
        len++;
    }
    done(q);
    if (rc < 0) {
        for (size_t i = 0; i < len; i++)
            clear(v + i * size);
        free(v);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc < 0 ? rc : 0;
}

#define READER(fn, type)                         \
    static void fn##_cb(sqlite3_stmt *q, void *p) \
    {                                            \
        fn(q, (struct type *)p);                 \
    }
READER(read_customer, customer)
READER(read_identity, identity)
READER(read_ticket, ticket)
READER(read_message, message)
READER(read_event, event)
READER(read_user, user)
READER(read_apikey, apikey)

#define CLEARER(fn, type)          \
    static void fn##_cb(void *p)   \
    {                              \
        fn((struct type *)p);      \
    }
CLEARER(identity_clear, identity)
CLEARER(ticket_clear, ticket)
CLEARER(message_clear, message)
CLEARER(event_clear, event)
CLEARER(user_clear, user)
CLEARER(apikey_clear, apikey)

/* ---- customers and identities ---------------------------------------- */

static void bind_customer(sqlite3_stmt *q, const struct customer *c)
{
    bind_i64(q, 1, c->id);
    bind_text(q, 2, c->name);
    bind_text(q, 3, c->tier);
    bind_text(q, 4, c->language);
    bind_i64(q, 5, c->merged_into);
    bind_i64(q, 6, c->created_at);
    bind_i64(q, 7, c->updated_at);
}

static int sq_customer_insert(struct store *st, struct customer *c)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CUST_INSERT);
    if (!c->created_at)
        c->created_at = clock_now_ms();
    if (!c->updated_at)
        c->updated_at = c->created_at;
    bind_customer(q, c);
    int rc = sq__insert(s, q, &c->id);
    return rc ? rc : sq__fts_added(s, FTS_CUSTOMERS, c->id);
}

static int sq_customer_get(struct store *st, int64_t id, struct customer *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CUST_GET);
    bind_i64(q, 1, id);
    return get_one(s, q, read_customer_cb, out);
}

static int sq_customer_update(struct store *st, const struct customer *c)
{
    struct sq *s = SQ(st);
    int rc = sq__fts_before_update(s, FTS_CUSTOMERS, c->id, c->name);
    if (rc)
        return rc;
    STMT_OR_FAIL(q, s, S_CUST_UPDATE);
    bind_customer(q, c);
    return sq__write_one(s, q);
}

static int sq_identity_find(struct store *st, enum identity_kind kind, const char *value,
                            struct identity *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_IDENT_FIND);
    bind_i64(q, 1, kind);
    bind_text(q, 2, value);
    return get_one(s, q, read_identity_cb, out);
}

static int sq_identity_insert(struct store *st, struct identity *i)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_IDENT_INSERT);
    if (!i->created_at)
        i->created_at = clock_now_ms();
    bind_i64(q, 1, i->customer_id);
    bind_i64(q, 2, i->kind);
    bind_text(q, 3, i->value);
    bind_i64(q, 4, i->created_at);
    return sq__insert(s, q, &i->id);
}

static int sq_identity_list(struct store *st, int64_t customer_id, struct identity **out,
                            size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_IDENT_LIST);
    bind_i64(q, 1, customer_id);
    return get_all(s, q, read_identity_cb, identity_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_customer_move(struct store *st, int64_t from, int64_t into)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(a, s, S_MOVE_IDENT);
    STMT_OR_FAIL(b, s, S_MOVE_TICKETS);
    bind_i64(a, 1, from);
    bind_i64(a, 2, into);
    int rc = sq__run(s, a);
    if (rc)
        return rc;
    bind_i64(b, 1, from);
    bind_i64(b, 2, into);
    return sq__run(s, b);
}

/* ---- tickets ---------------------------------------------------------- */

/* Binds ?1 = id and ?2..?23 = the other columns in TICKET_COLS order. */
static void bind_ticket(sqlite3_stmt *q, const struct ticket *t)
{
    bind_i64(q, 1, t->id);
    bind_i64(q, 2, t->customer_id);
    bind_text(q, 3, t->subject);
    bind_i64(q, 4, t->status);
    bind_i64(q, 5, t->priority);
    bind_text(q, 6, t->category);
    bind_i64(q, 7, t->channel);
    bind_text(q, 8, t->thread);
    bind_text(q, 9, t->language);
    bind_i64(q, 10, t->assignee_id);
    bind_i64(q, 11, t->sla_first_due);
    bind_i64(q, 12, t->sla_next_due);
    bind_i64(q, 13, t->sla_resolve_due);
    bind_i64(q, 14, t->created_at);
    bind_i64(q, 15, t->updated_at);
    bind_i64(q, 16, t->first_response_at);
    bind_i64(q, 17, t->resolved_at);
    bind_i64(q, 18, t->closed_at);
    bind_i64(q, 19, t->message_count);
    bind_text(q, 20, t->emotion);
    bind_i64(q, 21, t->hostility);
    bind_i64(q, 22, t->escalated ? 1 : 0);
    bind_text(q, 23, t->triage);
}

static int sq_ticket_insert(struct store *st, struct ticket *t)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_TICKET_INSERT);
    if (!t->created_at)
        t->created_at = clock_now_ms();
    if (!t->updated_at)
        t->updated_at = t->created_at;
    bind_ticket(q, t);
    int rc = sq__insert(s, q, &t->id);
    return rc ? rc : sq__fts_added(s, FTS_TICKETS, t->id);
}

static int sq_ticket_get(struct store *st, int64_t id, struct ticket *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_TICKET_GET);
    bind_i64(q, 1, id);
    return get_one(s, q, read_ticket_cb, out);
}

static int sq_ticket_update(struct store *st, const struct ticket *t)
{
    struct sq *s = SQ(st);
    int rc = sq__fts_before_update(s, FTS_TICKETS, t->id, t->subject);
    if (rc)
        return rc;
    STMT_OR_FAIL(q, s, S_TICKET_UPDATE);
    bind_ticket(q, t);
    return sq__write_one(s, q);
}

static int sq_ticket_find_open(struct store *st, int64_t customer_id, enum channel channel,
                               const char *thread, struct ticket *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, thread ? S_FIND_OPEN_THREAD : S_FIND_OPEN_CHANNEL);
    bind_i64(q, 1, customer_id);
    if (thread)
        bind_text(q, 2, thread);
    else
        bind_i64(q, 2, channel);
    return get_one(s, q, read_ticket_cb, out);
}

/* The cached statement for a ticket-list/count shape. */
static sqlite3_stmt *shape_stmt(struct sq *s, const struct ticket_query *tq)
{
    for (size_t i = 0; i < s->nshapes; i++)
        if (s->shapes[i].shape == tq->shape)
            return s->shapes[i].st;
    struct buf sql = BUF_INIT;
    ticket_query_sql(tq, '?', &sql);
    sqlite3_stmt *q = sq__prepare(s, buf_str(&sql));
    buf_release(&sql);
    if (!q)
        return NULL;
    if (s->nshapes == s->capshapes) {
        s->capshapes = s->capshapes ? s->capshapes * 2 : 16;
        s->shapes = xrealloc(s->shapes, s->capshapes * sizeof *s->shapes);
    }
    s->shapes[s->nshapes++] = (struct shape_stmt){tq->shape, q};
    return q;
}

static void bind_query(sqlite3_stmt *q, const struct ticket_query *tq)
{
    if (tq->has_priority)
        bind_i64(q, TQ_P_PRIORITY, tq->priority);
    if (tq->has_assignee)
        bind_i64(q, TQ_P_ASSIGNEE, tq->assignee_id);
    if (tq->has_customer)
        bind_i64(q, TQ_P_CUSTOMER, tq->customer_id);
    if (tq->has_category)
        bind_text(q, TQ_P_CATEGORY, tq->category);
    if (tq->has_cursor) {
        bind_i64(q, TQ_P_CKEY, tq->cursor_key);
        bind_i64(q, TQ_P_CID, tq->cursor_id);
    }
    if (tq->limit)
        bind_i64(q, TQ_P_LIMIT, tq->limit);
    for (int i = 0; i < tq->nstatus; i++)
        bind_i64(q, TQ_P_STATUS + i, tq->statuses[i]);
}

static int sq_ticket_list(struct store *st, const struct ticket_filter *f, struct ticket **out,
                          size_t *n)
{
    struct sq *s = SQ(st);
    struct ticket_query tq;

    *out = NULL;
    *n = 0;
    ticket_query_init(&tq, f, 0);
    if (tq.empty)
        return 0;
    sqlite3_stmt *q = shape_stmt(s, &tq);
    if (!q)
        return PL_EDB;
    bind_query(q, &tq);
    return get_all(s, q, read_ticket_cb, ticket_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_ticket_count(struct store *st, const struct ticket_filter *f, int64_t *count)
{
    struct sq *s = SQ(st);
    struct ticket_query tq;

    *count = 0;
    ticket_query_init(&tq, f, 1);
    if (tq.empty)
        return 0;
    sqlite3_stmt *q = shape_stmt(s, &tq);
    if (!q)
        return PL_EDB;
    bind_query(q, &tq);
    int rc = sq__next(s, q);
    if (rc == 1)
        *count = col_i64(q, 0);
    done(q);
    return rc < 0 ? rc : 0;
}

/* ---- messages and events ---------------------------------------------- */

static int sq_message_insert(struct store *st, struct message *m)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_MSG_INSERT);
    if (!m->created_at)
        m->created_at = clock_now_ms();
    bind_i64(q, 2, m->ticket_id);
    bind_i64(q, 3, m->kind);
    bind_i64(q, 4, m->channel);
    bind_i64(q, 5, m->author_user_id);
    bind_i64(q, 6, m->author_customer_id);
    bind_text(q, 7, m->body);
    bind_text(q, 8, m->external_id);
    bind_text(q, 9, m->analysis);
    bind_i64(q, 10, m->created_at);
    int rc = sq__insert(s, q, &m->id);
    return rc ? rc : sq__fts_added(s, FTS_MESSAGES, m->id);
}

static int sq_message_get(struct store *st, int64_t id, struct message *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_MSG_GET);
    bind_i64(q, 1, id);
    return get_one(s, q, read_message_cb, out);
}

static int sq_message_list(struct store *st, int64_t ticket_id, struct message **out,
                           size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_MSG_LIST);
    bind_i64(q, 1, ticket_id);
    return get_all(s, q, read_message_cb, message_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_message_find_external(struct store *st, const char *external_id,
                                    struct message *out)
{
    struct sq *s = SQ(st);
    if (!external_id)
        return PL_ENOTFOUND;
    STMT_OR_FAIL(q, s, S_MSG_EXTERNAL);
    bind_text(q, 1, external_id);
    return get_one(s, q, read_message_cb, out);
}

static int sq_event_insert(struct store *st, struct event *e)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_EV_INSERT);
    if (!e->created_at)
        e->created_at = clock_now_ms();
    bind_text(q, 2, e->type);
    bind_i64(q, 3, e->actor_kind);
    bind_i64(q, 4, e->actor_id);
    bind_i64(q, 5, e->ticket_id);
    bind_i64(q, 6, e->customer_id);
    bind_i64(q, 7, e->message_id);
    bind_text(q, 8, e->before);
    bind_text(q, 9, e->after);
    bind_i64(q, 10, e->created_at);
    return sq__insert(s, q, &e->id);
}

static int sq_event_list(struct store *st, const struct event_filter *f, struct event **out,
                         size_t *n)
{
    struct sq *s = SQ(st);
    struct event_filter def = {0};
    if (!f)
        f = &def;
    enum sid id = f->ticket_id ? S_EV_LIST_TICKET : f->customer_id ? S_EV_LIST_CUSTOMER
                                                                   : S_EV_LIST;
    STMT_OR_FAIL(q, s, id);
    bind_i64(q, 1, f->after_id);
    bind_i64(q, 2, f->ticket_id);
    bind_i64(q, 3, f->customer_id);
    bind_i64(q, 4, event_limit(f->limit));
    return get_all(s, q, read_event_cb, event_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_event_last_id(struct store *st, int64_t *id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_EV_LAST);
    *id = 0;
    int rc = sq__next(s, q);
    if (rc == 1)
        *id = col_i64(q, 0);
    done(q);
    return rc < 0 ? rc : 0;
}

/* ---- users, sessions, API keys, settings ------------------------------ */

static void bind_user(sqlite3_stmt *q, const struct user *u)
{
    bind_i64(q, 1, u->id);
    bind_text(q, 2, u->email);
    bind_text(q, 3, u->name);
    bind_i64(q, 4, u->role);
    bind_text(q, 5, u->skills);
    bind_text(q, 6, u->languages);
    bind_text(q, 7, u->password_hash);
    bind_i64(q, 8, u->active ? 1 : 0);
    bind_i64(q, 9, u->created_at);
}

static int sq_user_insert(struct store *st, struct user *u)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_INSERT);
    if (!u->created_at)
        u->created_at = clock_now_ms();
    bind_user(q, u);
    return sq__insert(s, q, &u->id);
}

static int sq_user_get(struct store *st, int64_t id, struct user *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_GET);
    bind_i64(q, 1, id);
    return get_one(s, q, read_user_cb, out);
}

static int sq_user_get_by_email(struct store *st, const char *email, struct user *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_GET_EMAIL);
    bind_text(q, 1, email);
    return get_one(s, q, read_user_cb, out);
}

static int sq_user_update(struct store *st, const struct user *u)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_UPDATE);
    bind_user(q, u);
    return sq__write_one(s, q);
}

static int sq_user_list(struct store *st, struct user **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_LIST);
    return get_all(s, q, read_user_cb, user_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_user_count(struct store *st, int64_t *count)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_USER_COUNT);
    *count = 0;
    int rc = sq__next(s, q);
    if (rc == 1)
        *count = col_i64(q, 0);
    done(q);
    return rc < 0 ? rc : 0;
}

static int sq_session_insert(struct store *st, const char *token_hash, int64_t user_id,
                             int64_t expires_at)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_SESS_INSERT);
    bind_text(q, 1, token_hash);
    bind_i64(q, 2, user_id);
    bind_i64(q, 3, expires_at);
    return sq__run(s, q);
}

static int sq_session_lookup(struct store *st, const char *token_hash, int64_t now,
                             int64_t *user_id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_SESS_LOOKUP);
    bind_text(q, 1, token_hash);
    bind_i64(q, 2, now);
    int rc = sq__next(s, q);
    if (rc == 1) {
        *user_id = col_i64(q, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

static int sq_session_delete(struct store *st, const char *token_hash)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_SESS_DELETE);
    bind_text(q, 1, token_hash);
    return sq__write_one(s, q);
}

static int sq_apikey_insert(struct store *st, struct apikey *k, const char *key_hash)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KEY_INSERT);
    if (!k->created_at)
        k->created_at = clock_now_ms();
    bind_text(q, 2, k->name);
    bind_i64(q, 3, k->role);
    bind_i64(q, 4, k->created_by);
    bind_i64(q, 5, k->created_at);
    bind_i64(q, 6, k->revoked ? 1 : 0);
    bind_text(q, 7, key_hash);
    return sq__insert(s, q, &k->id);
}

static int sq_apikey_lookup(struct store *st, const char *key_hash, struct apikey *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KEY_LOOKUP);
    bind_text(q, 1, key_hash);
    return get_one(s, q, read_apikey_cb, out);
}

static int sq_apikey_list(struct store *st, struct apikey **out, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KEY_LIST);
    return get_all(s, q, read_apikey_cb, apikey_clear_cb, sizeof **out, (void **)out, n);
}

static int sq_apikey_revoke(struct store *st, int64_t id)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_KEY_REVOKE);
    bind_i64(q, 1, id);
    return sq__write_one(s, q);
}

static int sq_setting_get(struct store *st, const char *key, char **value)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_SET_GET);
    *value = NULL;
    bind_text(q, 1, key);
    int rc = sq__next(s, q);
    if (rc == 1) {
        *value = col_str(q, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

static int sq_setting_set(struct store *st, const char *key, const char *value)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_SET_SET);
    bind_text(q, 1, key);
    bind_text(q, 2, value);
    return sq__run(s, q);
}

/* ---- the tamper-evident log ----------------------------------------- */

static int sq_event_get(struct store *st, int64_t id, struct event *out)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_EV_GET);
    bind_i64(q, 1, id);
    return get_one(s, q, read_event_cb, out);
}

/* Chunks of SCAN_CHUNK events, each read whole before fn sees it. */
static int sq_event_scan(struct store *st, int64_t after_id,
                         int (*fn)(void *ctx, const struct event *e), void *ctx)
{
    struct sq *s = SQ(st);
    struct event *v = NULL;
    size_t n = 0;
    int rc;

    for (;;) {
        STMT_OR_FAIL(q, s, S_EV_SCAN);
        bind_i64(q, 1, after_id);
        bind_i64(q, 2, SCAN_CHUNK);
        if ((rc = get_all(s, q, read_event_cb, event_clear_cb, sizeof *v, (void **)&v, &n)))
            return rc;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = fn(ctx, &v[i]);
        if (n)
            after_id = v[n - 1].id;
        store_free_events(v, n);
        if (rc || n < SCAN_CHUNK)
            return rc;
    }
}

/* Leaves keep their event ids increasing with idx (store_internal.h):
 * 0 when (idx, event_id) fits between its neighbours, PL_EEXISTS when it
 * does not. The leaf right after the last one this connection inserted,
 * for a later event, fits without a look (the desk's every append). */
static int leaf_in_order(struct sq *s, int64_t idx, int64_t event_id)
{
    if (s->leaf_known && idx == s->leaf_idx + 1 && event_id > s->leaf_event)
        return 0;
    STMT_OR_FAIL(q, s, S_LEAF_AROUND);
    bind_i64(q, 1, idx);
    int rc = sq__next(s, q);
    if (rc == 1) {
        int fits = (sqlite3_column_type(q, 0) == SQLITE_NULL || col_i64(q, 0) < event_id) &&
                   (sqlite3_column_type(q, 1) == SQLITE_NULL || col_i64(q, 1) > event_id);
        rc = fits ? 0 : PL_EEXISTS;
        if (!fits)
            snprintf(s->err, sizeof s->err, "ledger leaf %lld: event %lld is out of order",
                     (long long)idx, (long long)event_id);
    }
    done(q);
    return rc;
}

static int sq_leaf_insert(struct store *st, int64_t idx, int64_t event_id,
                          const unsigned char hash[32])
{
    struct sq *s = SQ(st);
    int rc = leaf_in_order(s, idx, event_id);
    if (rc)
        return rc;
    STMT_OR_FAIL(q, s, S_LEAF_INSERT);
    bind_i64(q, 1, idx);
    bind_i64(q, 2, event_id);
    sqlite3_bind_blob(q, 3, hash, 32, SQLITE_STATIC);
    if ((rc = sq__run(s, q)) == 0) {
        s->leaf_known = 1;
        s->leaf_idx = idx;
        s->leaf_event = event_id;
    }
    return rc;
}

/* A leaf's hash: 32 bytes, or 64 hex digits in a file not migrated to
 * 16 yet (parley verify reads without migrating). 0, or -1 if neither. */
static int leaf_hash(sqlite3_stmt *q, int col, unsigned char out[32])
{
    if (sqlite3_column_type(q, col) == SQLITE_TEXT)
        return store__unhex32((const char *)sqlite3_column_text(q, col), out);
    if (sqlite3_column_type(q, col) != SQLITE_BLOB || sqlite3_column_bytes(q, col) != 32)
        return -1;
    memcpy(out, sqlite3_column_blob(q, col), 32);
    return 0;
}

struct leaf_row {
    int64_t idx, event_id;
    unsigned char hash[32];
};

static int sq_leaf_scan(struct store *st, int64_t from,
                        int (*fn)(void *ctx, int64_t idx, int64_t event_id,
                                  const unsigned char hash[32]),
                        void *ctx)
{
    struct sq *s = SQ(st);
    struct leaf_row *v = xmalloc(SCAN_CHUNK * sizeof *v);
    int rc = 0;

    for (;;) {
        sqlite3_stmt *q = sq__stmt(s, S_LEAF_SCAN);
        size_t n = 0;
        if (!q) {
            rc = PL_EDB;
            goto out;
        }
        bind_i64(q, 1, from);
        bind_i64(q, 2, SCAN_CHUNK);
        while ((rc = sq__next(s, q)) == 1) {
            v[n].idx = col_i64(q, 0);
            v[n].event_id = col_i64(q, 1);
            if (leaf_hash(q, 2, v[n].hash)) {
                snprintf(s->err, sizeof s->err, "ledger leaf %lld: bad hash",
                         (long long)v[n].idx);
                rc = PL_EDB;
                break;
            }
            n++;
        }
        done(q);
        if (rc < 0)
            goto out;
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = fn(ctx, v[i].idx, v[i].event_id, v[i].hash);
        if (rc || n < SCAN_CHUNK)
            goto out;
        from = v[n - 1].idx + 1;
    }
out:
    free(v);
    return rc;
}

static int sq_leaf_of_event(struct store *st, int64_t event_id, int64_t *idx)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_LEAF_OF_EVENT);
    bind_i64(q, 1, event_id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        *idx = col_i64(q, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

static int sq_checkpoint_insert(struct store *st, int64_t size, const char *note,
                                int64_t created_at)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CP_INSERT);
    bind_i64(q, 1, size);
    bind_text(q, 2, note);
    bind_i64(q, 3, created_at ? created_at : clock_now_ms());
    return sq__run(s, q);
}

static int sq_checkpoint_latest(struct store *st, int64_t *size, char **note)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CP_LATEST);
    *note = NULL;
    int rc = sq__next(s, q);
    if (rc == 1) {
        *size = col_i64(q, 0);
        *note = col_str(q, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

static int sq_checkpoint_get(struct store *st, int64_t size, char **note)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CP_GET);
    *note = NULL;
    bind_i64(q, 1, size);
    int rc = sq__next(s, q);
    if (rc == 1) {
        *note = col_str(q, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

/* ---- the table ------------------------------------ */

const struct store_ops sq__ops = {
    .version = 1,
    .name = "sqlite",
    .close = sq__close,
    .errmsg = sq__errmsg,
    .migrate = sq__migrate,
    .schema_version = sq__schema_version,
    .begin = sq__begin,
    .commit = sq__commit,
    .rollback = sq__rollback,
    .savepoint = sq__savepoint,
    .release = sq__release,
    .rollback_to = sq__rollback_to,
    .customer_insert = sq_customer_insert,
    .customer_get = sq_customer_get,
    .customer_update = sq_customer_update,
    .identity_find = sq_identity_find,
    .identity_insert = sq_identity_insert,
    .identity_list = sq_identity_list,
    .customer_move = sq_customer_move,
    .ticket_insert = sq_ticket_insert,
    .ticket_get = sq_ticket_get,
    .ticket_update = sq_ticket_update,
    .ticket_find_open = sq_ticket_find_open,
    .ticket_list = sq_ticket_list,
    .ticket_count = sq_ticket_count,
    .message_insert = sq_message_insert,
    .message_get = sq_message_get,
    .message_list = sq_message_list,
    .message_find_external = sq_message_find_external,
    .event_insert = sq_event_insert,
    .event_list = sq_event_list,
    .event_last_id = sq_event_last_id,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_get_by_email = sq_user_get_by_email,
    .user_update = sq_user_update,
    .user_list = sq_user_list,
    .user_count = sq_user_count,
    .session_insert = sq_session_insert,
    .session_lookup = sq_session_lookup,
    .session_delete = sq_session_delete,
    .apikey_insert = sq_apikey_insert,
    .apikey_lookup = sq_apikey_lookup,
    .apikey_list = sq_apikey_list,
    .apikey_revoke = sq_apikey_revoke,
    .leaf_insert = sq_leaf_insert,
    .leaf_scan = sq_leaf_scan,
    .event_scan = sq_event_scan,
    .event_get = sq_event_get,
    .leaf_of_event = sq_leaf_of_event,
    .checkpoint_insert = sq_checkpoint_insert,
    .checkpoint_latest = sq_checkpoint_latest,
    .checkpoint_get = sq_checkpoint_get,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .kb_insert = sq__kb_insert,
    .kb_update = sq__kb_update,
    .kb_get = sq__kb_get,
    .kb_list = sq__kb_list,
    .kb_search = sq__kb_search,
    .ticket_search = sq__ticket_search,
    .canned_insert = sq__canned_insert,
    .canned_update = sq__canned_update,
    .canned_delete = sq__canned_delete,
    .canned_get = sq__canned_get,
    .canned_list = sq__canned_list,
    .chat_insert = sq__chat_insert,
    .chat_get = sq__chat_get,
    .chat_update = sq__chat_update,
    .witness_insert = sq__witness_insert,
    .witness_list = sq__witness_list,
    .cosig_insert = sq__cosig_insert,
    .cosig_lines = sq__cosig_lines,
    .cosig_latest = sq__cosig_latest,
    .dispute_insert = sq__dispute_insert,
    .dispute_get = sq__dispute_get,
    .dispute_update = sq__dispute_update,
    .dispute_vote_insert = sq__dispute_vote_insert,
    .dispute_list = sq__dispute_list,
    .fact_insert = sq__fact_insert,
    .fact_withdraw = sq__fact_withdraw,
    .fact_list = sq__fact_list,
    .order_insert = sq__order_insert,
    .order_totals = sq__order_totals,
    .conflict_customers = sq__conflict_customers,
    .conflict_facts = sq__conflict_facts,
    .conflict_scan = sq__conflict_scan,
    .ticket_facts = sq__ticket_facts,
    .customer_key_get = sq__customer_key_get,
    .customer_key_insert = sq__customer_key_insert,
    .customer_erase = sq__customer_erase,
    .customer_merged = sq__customer_merged,
    .scrub = sq__scrub,
    .survey_insert = sq__survey_insert,
    .survey_find = sq__survey_find,
    .survey_answer = sq__survey_answer,
    .alert_insert = sq__alert_insert,
    .alert_get = sq__alert_get,
    .alert_list = sq__alert_list,
    .alert_ack = sq__alert_ack,
    .negative_scan = sq__negative_scan,
    .delivery_insert = sq__delivery_insert,
    .delivery_get = sq__delivery_get,
    .delivery_update = sq__delivery_update,
    .delivery_due = sq__delivery_due,
    .delivery_list_ticket = sq__delivery_list_ticket,
    .delivery_of_message = sq__delivery_of_message,
    .webhook_insert = sq__webhook_insert,
    .webhook_get = sq__webhook_get,
    .webhook_list = sq__webhook_list,
    .webhook_delete = sq__webhook_delete,
    .attachment_insert = sq__attachment_insert,
    .attachment_get = sq__attachment_get,
    .attachment_list_ticket = sq__attachment_list_ticket,
    .claim = sq__claim,
};
