/* routes.c — the route table and the handlers of the foundation API:
 * auth, messages, tickets, customers, users, API keys. Each handler
 * validates its input, calls one desk use case or reads, and answers. */
#include "http/http_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool http_require(struct req *r);
void http_csrf_of(const char *token, char out[65]);

#define SESSION_TTL_MS (12LL * 3600 * 1000)

static bool staff(const struct req *r)
{
    return r->who.kind == ACTOR_USER;
}

static bool role_at_least(const struct req *r, enum role min)
{
    /* admin < supervisor < agent in enum order; integration is separate */
    return r->who.kind == ACTOR_USER && r->who.role <= min;
}

/* ---- auth ---------------------------------------------------------------- */

static enum MHD_Result login(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *email = http_str(r, b, "email", true, &ok);
    const char *pw = ok ? http_str(r, b, "password", true, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    char *token = NULL;
    struct user u = {0};
    int rc = desk_login(r->srv->d, email, pw, SESSION_TTL_MS, &token, &u);
    json_decref(b);
    if (rc == PL_EAUTH)
        return http_error(r, 401, "bad_credentials", "wrong e-mail or password");
    if (rc)
        return http_fail(r, rc);
    char csrf[65];
    http_csrf_of(token, csrf);
    json_t *j = json_pack("{s:s,s:s,s:s,s:o}", "token", token, "role", role_name(u.role), "csrf",
                          csrf, "user", http_user_json(&u));
    char *cookie = xasprintf("parley_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld",
                             token, (long long)(SESSION_TTL_MS / 1000));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    enum MHD_Result res = http_raw(r, 200, "application/json; charset=utf-8", s, strlen(s),
                                   "Set-Cookie", cookie);
    free(cookie);
    free(token);
    user_clear(&u);
    return res;
}

static enum MHD_Result logout(struct req *r)
{
    int rc = desk_logout(r->srv->d, r->token);
    if (rc)
        return http_fail(r, rc);
    char *s = xstrdup("{\"ok\":true}");
    return http_raw(r, 200, "application/json; charset=utf-8", s, strlen(s), "Set-Cookie",
                    "parley_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

static enum MHD_Result me(struct req *r)
{
    if (r->who.kind != ACTOR_USER)
        return http_json(r, 200, json_pack("{s:s,s:I,s:s}", "kind", actor_kind_name(r->who.kind),
                                           "id", (json_int_t)r->who.id, "role",
                                           role_name(r->who.role)));
    struct user u = {0};
    int rc = desk_reader(r->srv->d)->ops->user_get(desk_reader(r->srv->d), r->who.id, &u);
    if (rc)
        return http_fail(r, rc);
    json_t *j = http_user_json(&u);
    user_clear(&u);
    return http_json(r, 200, j);
}

/* ---- messages ----------------------------------------------------------- */

static enum MHD_Result post_message(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    struct desk_inbound in = {0};
    const char *ch = http_str(r, b, "channel", true, &ok);
    json_t *cust = ok ? json_object_get(b, "customer") : NULL;
    if (ok && !json_is_object(cust)) {
        json_decref(b);
        return http_error(r, 400, cust ? "wrong_type" : "missing_field",
                          "'customer' must be an object with email, phone, handle or chat");
    }
    if (ok && channel_parse(ch, &in.channel)) {
        enum MHD_Result res_ = http_error(r, 400, "invalid", "unknown channel '%s'", ch);
        json_decref(b);
        return res_;
    }
    static const struct { const char *key; enum identity_kind kind; } ids[] = {
        {"email", IDENTITY_EMAIL}, {"phone", IDENTITY_PHONE}, {"handle", IDENTITY_HANDLE},
        {"chat", IDENTITY_CHAT}};
    for (size_t i = 0; ok && i < sizeof ids / sizeof ids[0] && !in.id_value; i++) {
        in.id_value = http_str(r, cust, ids[i].key, false, &ok);
        in.id_kind = ids[i].kind;
    }
    if (ok && !in.id_value) {
        json_decref(b);
        return http_error(r, 400, "missing_field",
                          "'customer' needs one of email, phone, handle or chat");
    }
    if (ok)
        in.customer_name = http_str(r, cust, "name", false, &ok);
    if (ok)
        in.subject = http_str(r, b, "subject", false, &ok);
    if (ok)
        in.body = http_str(r, b, "body", true, &ok);
    if (ok)
        in.thread = http_str(r, b, "thread", false, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    if (!*in.body) {
        json_decref(b);
        return http_error(r, 400, "invalid", "'body' is empty");
    }
    struct desk_ingest_result res;
    int rc = desk_ingest(r->srv->d, &r->who, &in, &res);
    json_decref(b);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "the customer identity or a field is invalid");
    if (rc)
        return http_fail(r, rc);
    json_t *j = json_pack("{s:I,s:I,s:I,s:b,s:b}", "ticket_id", (json_int_t)res.ticket_id,
                          "message_id", (json_int_t)res.message_id, "customer_id",
                          (json_int_t)res.customer_id, "new_ticket", res.new_ticket,
                          "new_customer", res.new_customer);
    if (res.triaged) {
        json_object_set_new(j, "priority", json_string(priority_name(res.priority)));
        json_object_set_new(j, "escalated", json_boolean(res.escalated));
        json_object_set_new(j, "assignee_id",
                            res.assignee_id ? json_integer(res.assignee_id) : json_null());
    }
    return http_json(r, 201, j);
}

/* POST /channels/email — a raw RFC 5322 message (Content-Type:
 * message/rfc822), as a mail gateway or an MTA pipe delivers it. */
static enum MHD_Result post_email(struct req *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "message/rfc822", 14) != 0)
        return http_error(r, 415, "unsupported_media_type",
                          "send the raw message with Content-Type: message/rfc822");
    struct desk_ingest_result res;
    char *err = NULL;
    int rc = desk_ingest_mail(r->srv->d, &r->who, buf_str(&r->body), r->body.len, &res, &err);
    enum MHD_Result out;
    if (rc == PL_EPARSE)
        out = http_error(r, 400, "bad_message", "%s", err ? err : "not a message");
    else if (rc == PL_EEXISTS)
        out = http_error(r, 409, "duplicate", "%s", err ? err : "already received");
    else if (rc)
        out = http_fail(r, rc);
    else
        out = http_json(r, 201, json_pack("{s:I,s:I,s:I,s:b}", "ticket_id",
                                          (json_int_t)res.ticket_id, "message_id",
                                          (json_int_t)res.message_id, "customer_id",
                                          (json_int_t)res.customer_id, "new_ticket",
                                          res.new_ticket));
    free(err);
    return out;
}

/* ---- tickets ------------------------------------------------------------- */

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* The ticket's JSON with its risk scores while it is open and a model is
 * loaded (docs/cli/train-risk.md); factor labels in ?lang= (en, ru). */
static json_t *ticket_json_with_risk(struct req *r, const struct ticket *t)
{
    json_t *j = http_ticket_json(t);
    json_t *risk = desk_ticket_risk(r->srv->d, t->id, http_query(r, "lang"));
    if (risk)
        json_object_set_new(j, "risk", risk);
    return j;
}

static enum MHD_Result list_tickets(struct req *r)
{
    struct ticket_filter f;
    ticket_filter_init(&f);
    const char *v;
    if ((v = http_query(r, "status"))) {
        char *copy = xstrdup(v), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            enum ticket_status s;
            if (status_parse(tok, &s)) {
                enum MHD_Result res = http_error(r, 400, "invalid", "unknown status '%s'", tok);
                free(copy);
                return res;
            }
            f.status_mask |= 1u << s;
        }
        free(copy);
    }
    if ((v = http_query(r, "priority"))) {
        enum priority p;
        if (priority_parse(v, &p))
            return http_error(r, 400, "invalid", "unknown priority '%s'", v);
        f.priority = (int)p;
    }
    if ((v = http_query(r, "assignee"))) {
        if (strcmp(v, "me") == 0)
            f.assignee_id = r->who.id;
        else if (strcmp(v, "none") == 0 || strcmp(v, "0") == 0)
            f.assignee_id = 0;
        else if (parse_i64(v, &f.assignee_id))
            return http_error(r, 400, "invalid", "assignee must be an id, 'me' or 'none'");
    }
    if ((v = http_query(r, "customer")) && parse_i64(v, &f.customer_id))
        return http_error(r, 400, "invalid", "customer must be an id");
    f.category = http_query(r, "category");
    if ((v = http_query(r, "sort"))) {
        if (!strcmp(v, "created"))
            f.sort = TSORT_CREATED;
        else if (!strcmp(v, "updated"))
            f.sort = TSORT_UPDATED;
        else if (!strcmp(v, "priority"))
            f.sort = TSORT_PRIORITY;
        else
            return http_error(r, 400, "invalid", "sort is created, updated or priority");
    }
    if ((v = http_query(r, "order"))) {
        if (strcmp(v, "asc") && strcmp(v, "desc"))
            return http_error(r, 400, "invalid", "order is asc or desc");
        f.ascending = strcmp(v, "asc") == 0;
    }
    if ((v = http_query(r, "limit"))) {
        int64_t n;
        if (parse_i64(v, &n) || n < 1 || n > 500)
            return http_error(r, 400, "invalid", "limit is 1 to 500");
        f.limit = (int)n;
    }
    if ((v = http_query(r, "cursor"))) {
        long long k, id;
        char extra;
        if (sscanf(v, "%lld.%lld%c", &k, &id, &extra) != 2)
            return http_error(r, 400, "invalid", "bad cursor");
        f.has_cursor = 1;
        f.cursor_key = k;
        f.cursor_id = id;
    }
    struct store *st = desk_reader(r->srv->d);
    struct ticket *t = NULL;
    size_t n = 0;
    int rc = st->ops->ticket_list(st, &f, &t, &n);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, ticket_json_with_risk(r, &t[i]));
    json_t *j = json_pack("{s:o}", "tickets", arr);
    int limit = f.limit ? f.limit : 50;
    if (n == (size_t)limit && n > 0) {
        char cur[48];
        snprintf(cur, sizeof cur, "%lld.%lld", (long long)ticket_sort_key(f.sort, &t[n - 1]),
                 (long long)t[n - 1].id);
        json_object_set_new(j, "next_cursor", json_string(cur));
    } else {
        json_object_set_new(j, "next_cursor", json_null());
    }
    store_free_tickets(t, n);
    return http_json(r, 200, j);
}

static enum MHD_Result get_ticket(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct ticket t = {0};
    int rc = st->ops->ticket_get(st, r->id, &t);
    if (rc)
        return http_fail(r, rc);
    json_t *j = ticket_json_with_risk(r, &t);
    ticket_clear(&t);
    struct message *m = NULL;
    size_t n = 0;
    if ((rc = st->ops->message_list(st, r->id, &m, &n))) {
        json_decref(j);
        return http_fail(r, rc);
    }
    json_t *msgs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(msgs, http_message_json(&m[i]));
    store_free_messages(m, n);
    if ((rc = http_ticket_outbox(st, r->id, msgs))) {
        json_decref(msgs);
        json_decref(j);
        return http_fail(r, rc);
    }
    json_object_set_new(j, "messages", msgs);
    json_t *evs = json_array();
    struct event_filter f = {.ticket_id = r->id, .limit = 1000};
    struct event *e = NULL;
    json_t *repeat_of = json_null();
    if ((rc = st->ops->event_list(st, &f, &e, &n)) == 0) {
        desk_events_open(r->srv->d, st, e, n);
        for (size_t i = 0; i < n; i++) {
            json_t *ej = http_event_json(&e[i]);
            /* The earlier ticket of the same issue (first-contact resolution). */
            if (!strcmp(e[i].type, "ticket.repeat")) {
                json_decref(repeat_of);
                repeat_of = json_incref(json_object_get(json_object_get(ej, "after"), "repeat_of"));
            }
            json_array_append_new(evs, ej);
        }
        store_free_events(e, n);
    }
    json_object_set_new(j, "repeat_of", repeat_of ? repeat_of : json_null());
    json_object_set_new(j, "events", evs);
    return http_json(r, 200, j);
}

static enum MHD_Result patch_ticket(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    struct desk_ticket_patch p = {0};
    bool ok = true;
    const char *v;
    if ((v = http_str(r, b, "status", false, &ok))) {
        if (status_parse(v, &p.status)) {
            enum MHD_Result res_ = http_error(r, 400, "invalid", "unknown status '%s'", v);
            json_decref(b);
            return res_;
        }
        p.set_status = true;
    }
    if (ok && (v = http_str(r, b, "priority", false, &ok))) {
        if (priority_parse(v, &p.priority)) {
            enum MHD_Result res_ = http_error(r, 400, "invalid", "unknown priority '%s'", v);
            json_decref(b);
            return res_;
        }
        p.set_priority = true;
    }
    json_t *as = json_object_get(b, "assignee");
    if (ok && as) {
        if (json_is_null(as)) {
            p.set_assignee = true;
        } else if (json_is_integer(as) && json_integer_value(as) > 0) {
            p.set_assignee = true;
            p.assignee_id = json_integer_value(as);
        } else {
            json_decref(b);
            return http_error(r, 400, "wrong_type", "'assignee' must be a user id or null");
        }
    }
    json_t *cat = json_object_get(b, "category");
    if (ok && cat) {
        if (!json_is_null(cat) && !json_is_string(cat)) {
            json_decref(b);
            return http_error(r, 400, "wrong_type", "'category' must be a string or null");
        }
        p.set_category = true;
        p.category = json_string_value(cat);
    }
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    int rc = desk_update_ticket(r->srv->d, &r->who, r->id, &p);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    return get_ticket(r);
}

static enum MHD_Result post_text(struct req *r, bool note)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *body = http_str(r, b, "body", true, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    int64_t mid = 0;
    int rc = note ? desk_note(r->srv->d, &r->who, r->id, body, &mid)
                  : desk_reply(r->srv->d, &r->who, r->id, body, &mid);
    json_decref(b);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "'body' is empty");
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 201, json_pack("{s:I,s:I}", "message_id", (json_int_t)mid, "ticket_id",
                                       (json_int_t)r->id));
}

static enum MHD_Result post_reply(struct req *r)
{
    return post_text(r, false);
}

static enum MHD_Result post_note(struct req *r)
{
    return post_text(r, true);
}

/* ---- customers ------------------------------------------------------------ */

static enum MHD_Result get_customer(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct customer c = {0};
    int rc = st->ops->customer_get(st, r->id, &c);
    if (rc)
        return http_fail(r, rc);
    json_t *j = json_pack("{s:I,s:s?,s:s?,s:s?}", "id", (json_int_t)c.id, "name", c.name, "tier",
                          c.tier, "language", c.language);
    json_object_set_new(j, "merged_into", c.merged_into ? json_integer(c.merged_into) : json_null());
    json_object_set_new(j, "created_at", http_time(c.created_at));
    /* Erased: the key row is kept without its key, stamped (docs/ledger.md). */
    char *wrapped = NULL;
    int64_t erased_at = 0;
    if (st->ops->customer_key_get(st, c.id, &wrapped, &erased_at) != 0 || wrapped)
        erased_at = 0;
    free(wrapped);
    json_object_set_new(j, "erased", json_boolean(erased_at != 0));
    json_object_set_new(j, "erased_at", http_time(erased_at));
    json_t *churn = desk_customer_churn(r->srv->d, c.id, http_query(r, "lang"));
    if (churn) {
        json_object_set(j, "churn_risk", json_object_get(churn, "probability"));
        json_object_set(j, "churn_factors", json_object_get(churn, "factors"));
        json_decref(churn);
    }
    customer_clear(&c);
    struct identity *ids = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if (st->ops->identity_list(st, r->id, &ids, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s}", "kind",
                                                 identity_kind_name(ids[i].kind), "value",
                                                 ids[i].value));
        store_free_identities(ids, n);
    }
    json_object_set_new(j, "identities", arr);
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.customer_id = r->id;
    f.limit = 500;
    struct ticket *t = NULL;
    arr = json_array();
    if (st->ops->ticket_list(st, &f, &t, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, ticket_json_with_risk(r, &t[i]));
        store_free_tickets(t, n);
    }
    json_object_set_new(j, "tickets", arr);
    return http_json(r, 200, j);
}

static enum MHD_Result merge_customer(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    json_t *from = json_object_get(b, "from");
    if (!json_is_integer(from)) {
        json_decref(b);
        return http_error(r, 400, from ? "wrong_type" : "missing_field",
                          "'from' must be the id of the customer to merge in");
    }
    int rc = desk_merge_customers(r->srv->d, &r->who, r->id, json_integer_value(from));
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    return get_customer(r);
}

/* ---- users and keys -------------------------------------------------------- */

static enum MHD_Result list_users(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct user *u = NULL;
    size_t n = 0;
    int rc = st->ops->user_list(st, &u, &n);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, http_user_json(&u[i]));
    store_free_users(u, n);
    return http_json(r, 200, json_pack("{s:o}", "users", arr));
}

static enum MHD_Result add_user(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *email = http_str(r, b, "email", true, &ok);
    const char *role = ok ? http_str(r, b, "role", true, &ok) : NULL;
    const char *pw = ok ? http_str(r, b, "password", true, &ok) : NULL;
    const char *name = ok ? http_str(r, b, "name", false, &ok) : NULL;
    const char *skills = ok ? http_str(r, b, "skills", false, &ok) : NULL;
    const char *langs = ok ? http_str(r, b, "languages", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct user u = {0};
    if (role_parse(role, &u.role) || u.role == ROLE_INTEGRATION) {
        json_decref(b);
        return http_error(r, 400, "invalid", "role is admin, supervisor or agent");
    }
    u.email = xstrdup(email);
    u.name = xstrdup(name);
    u.skills = xstrdup(skills);
    u.languages = xstrdup(langs);
    int rc = desk_user_add(r->srv->d, &r->who, &u, pw);
    json_decref(b);
    enum MHD_Result res;
    if (rc == PL_EINVAL)
        res = http_error(r, 400, "invalid",
                         "a valid e-mail and a password of 8 characters or more are required");
    else if (rc)
        res = http_fail(r, rc);
    else
        res = http_json(r, 201, http_user_json(&u));
    user_clear(&u);
    return res;
}

static enum MHD_Result patch_user(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    struct desk_user_patch p = {0};
    p.name = http_str(r, b, "name", false, &ok);
    const char *role = ok ? http_str(r, b, "role", false, &ok) : NULL;
    if (ok)
        p.skills = http_str(r, b, "skills", false, &ok);
    if (ok)
        p.languages = http_str(r, b, "languages", false, &ok);
    json_t *act = json_object_get(b, "active");
    if (ok && act && !json_is_boolean(act)) {
        json_decref(b);
        return http_error(r, 400, "wrong_type", "'active' must be true or false");
    }
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    p.set_active = act != NULL;
    p.active = json_is_true(act);
    if (role) {
        p.set_role = true;
        if (role_parse(role, &p.role) || p.role == ROLE_INTEGRATION) {
            json_decref(b);
            return http_error(r, 400, "invalid", "role is admin, supervisor or agent");
        }
    }
    int rc = desk_user_update(r->srv->d, &r->who, r->id, &p);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    struct store *st = desk_reader(r->srv->d);
    struct user u = {0};
    if ((rc = st->ops->user_get(st, r->id, &u)))
        return http_fail(r, rc);
    json_t *j = http_user_json(&u);
    user_clear(&u);
    return http_json(r, 200, j);
}

/* POST /me/pause {"minutes": N} — the agent steps away after an intense
 * conversation; routing gives them nothing new until it ends. */
static enum MHD_Result take_pause(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    json_t *m = json_object_get(b, "minutes");
    int minutes = json_is_integer(m) ? (int)json_integer_value(m) : -1;
    json_decref(b);
    if (minutes < 0 || minutes > 120)
        return http_error(r, 400, "invalid", "'minutes' must be an integer from 0 to 120");
    int rc = desk_agent_pause(r->srv->d, &r->who, minutes);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:i}", "minutes", minutes));
}

static enum MHD_Result add_apikey(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *name = http_str(r, b, "name", true, &ok);
    const char *role = ok ? http_str(r, b, "role", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    enum role rl = ROLE_INTEGRATION;
    if (role && role_parse(role, &rl)) {
        enum MHD_Result res_ = http_error(r, 400, "invalid", "unknown role '%s'", role);
        json_decref(b);
        return res_;
    }
    char *secret = NULL;
    int64_t id = 0;
    int rc = desk_apikey_add(r->srv->d, &r->who, name, rl, &secret, &id);
    if (rc) {
        json_decref(b);
        return http_fail(r, rc);
    }
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name, "role",
                          role_name(rl), "secret", secret);
    json_decref(b);
    free(secret);
    return http_json(r, 201, j);
}

static enum MHD_Result list_apikeys(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    struct apikey *k = NULL;
    size_t n = 0;
    int rc = st->ops->apikey_list(st, &k, &n);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)k[i].id, "name", k[i].name,
                              "role", role_name(k[i].role), "revoked", k[i].revoked);
        json_object_set_new(o, "created_at", http_time(k[i].created_at));
        json_array_append_new(arr, o);
    }
    store_free_apikeys(k, n);
    return http_json(r, 200, json_pack("{s:o}", "api_keys", arr));
}

static enum MHD_Result health(struct req *r)
{
    char *s = xstrdup("{\"status\":\"ok\"}");
    return http_raw(r, 200, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

/* ---- the table -------------------------------------------------------------- */

struct route {
    const char *method;
    const char *pattern;        /* "{id}" matches a positive integer */
    enum http_access_level access;
    enum MHD_Result (*fn)(struct req *r);
};

static const struct route routes[] = {
    {"GET", "/api/v1/health", HTTP_PUBLIC, health},
    {"POST", "/api/v1/auth/login", HTTP_PUBLIC, login},
    {"POST", "/api/v1/auth/logout", HTTP_ANY, logout},
    {"GET", "/api/v1/me", HTTP_ANY, me},
    {"POST", "/api/v1/me/pause", HTTP_STAFF, take_pause},
    {"POST", "/api/v1/messages", HTTP_INGEST, post_message},
    {"POST", "/api/v1/channels/email", HTTP_INGEST, post_email},
    {"GET", "/api/v1/tickets", HTTP_STAFF, list_tickets},
    {"GET", "/api/v1/tickets/{id}", HTTP_STAFF, get_ticket},
    {"PATCH", "/api/v1/tickets/{id}", HTTP_STAFF, patch_ticket},
    {"POST", "/api/v1/tickets/{id}/replies", HTTP_STAFF, post_reply},
    {"POST", "/api/v1/tickets/{id}/notes", HTTP_STAFF, post_note},
    {"GET", "/api/v1/customers/{id}", HTTP_STAFF, get_customer},
    {"POST", "/api/v1/customers/{id}/merge", HTTP_STAFF, merge_customer},
    {"GET", "/api/v1/customers/{id}/export", HTTP_SUPERVISOR, http_customer_export},
    {"POST", "/api/v1/customers/{id}/erase", HTTP_ADMIN, http_customer_erase},
    {"GET", "/api/v1/events", HTTP_STAFF, http_sse_events},
    {"GET", "/api/v1/users", HTTP_SUPERVISOR, list_users},
    {"POST", "/api/v1/users", HTTP_ADMIN, add_user},
    {"PATCH", "/api/v1/users/{id}", HTTP_ADMIN, patch_user},
    {"GET", "/api/v1/apikeys", HTTP_ADMIN, list_apikeys},
    {"POST", "/api/v1/apikeys", HTTP_ADMIN, add_apikey},
};

/* Matches path against pattern; fills *id for "{id}". */
static bool match(const char *pattern, const char *path, int64_t *id)
{
    while (*pattern && *path) {
        if (strncmp(pattern, "{id}", 4) == 0) {
            char *end;
            if (*path < '1' || *path > '9')
                return false;
            long long v = strtoll(path, &end, 10);
            if (v <= 0 || end - path > 18)
                return false;
            *id = v;
            path = end;
            pattern += 4;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *pattern == '\0' && (*path == '\0' || (path[0] == '/' && path[1] == '\0'));
}

static enum MHD_Result check_access(struct req *r, enum http_access_level a)
{
    if (a == HTTP_PUBLIC)
        return MHD_YES;
    if (!http_require(r)) {
        http_error(r, 401, "unauthorized", "a valid bearer token, API key or session is required");
        return MHD_NO;
    }
    bool ok;
    switch (a) {
    case HTTP_ANY: ok = true; break;
    case HTTP_INGEST: ok = staff(r) || r->who.kind == ACTOR_APIKEY; break;
    case HTTP_STAFF: ok = staff(r) || (r->who.kind == ACTOR_APIKEY && r->who.role != ROLE_INTEGRATION);
        break;
    case HTTP_SUPERVISOR: ok = role_at_least(r, ROLE_SUPERVISOR); break;
    case HTTP_ADMIN: ok = role_at_least(r, ROLE_ADMIN); break;
    default: ok = false;
    }
    if (!ok) {
        http_error(r, 403, "forbidden", "your role (%s) may not do this", role_name(r->who.role));
        return MHD_NO;
    }
    return MHD_YES;
}

enum MHD_Result http_route(struct req *r)
{
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t id = 0;
        if (!match(routes[i].pattern, r->path, &id))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, r->method) != 0)
            continue;
        r->id = id;
        if (check_access(r, routes[i].access) != MHD_YES)
            return MHD_YES;   /* the error is queued */
        return routes[i].fn(r);
    }
    /* Routers of other resource families, each in its own file: each says
     * whether the path was one of its own. */
    static enum MHD_Result (*const subrouters[])(struct req *, bool *) = {
        http_route_extra,
        http_route_chat,
        http_route_canned,
        http_route_disputes,
        http_route_insight,
        http_route_feedback,
        http_route_outbox,
    };
    for (size_t i = 0; i < sizeof subrouters / sizeof subrouters[0]; i++) {
        bool handled = false;
        enum MHD_Result res = subrouters[i](r, &handled);
        if (handled)
            return res;
    }
    if (path_known)
        return http_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
    return http_error(r, 404, "not_found", "no such route: %s", r->path);
}

bool http_access(struct req *r, int access)
{
    return check_access(r, (enum http_access_level)access) == MHD_YES;
}

enum MHD_Result http_subroute(struct req *r, const struct http_subroute *t, size_t n,
                              bool *handled)
{
    bool known = false;
    for (size_t i = 0; i < n; i++) {
        const struct http_subroute *x = &t[i];
        size_t len = strlen(x->prefix);
        if (x->with_id) {
            char *end;
            if (strncmp(r->path, x->prefix, len) != 0 || r->path[len] < '1' || r->path[len] > '9')
                continue;
            long long id = strtoll(r->path + len, &end, 10);
            if (strcmp(end, x->suffix) != 0)
                continue;
            r->id = id;
        } else if (strcmp(r->path, x->prefix) != 0) {
            continue;
        }
        known = true;
        if (strcmp(r->method, x->method) != 0)
            continue;
        *handled = true;
        if (!http_access(r, x->access))
            return MHD_YES;
        return x->fn(r);
    }
    if (known) {
        *handled = true;
        return http_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
    }
    return MHD_YES;
}
