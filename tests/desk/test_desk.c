/* test_desk.c — the use cases over a real store (SQLite temp file, or the
 * database named by PARLEY_TEST_DB with a fresh schema). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "desk/import.h"
#include "tmpdb.h"

static char dbpath[256];

static int setup(void **state)
{
    struct desk *d;
    if (tmpdb_open("desk-test", dbpath, sizeof dbpath, &d))
        return -1;
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    desk_close(*state);
    tmpdb_remove(dbpath);
    return 0;
}

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static struct desk_ingest_result ingest(struct desk *d, enum identity_kind k, const char *who,
                                        const char *thread, const char *body)
{
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = k, .id_value = who,
                              .customer_name = "Test", .subject = "s", .body = body,
                              .thread = thread};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
    return r;
}

static void test_ingest_finds_customer_and_thread(void **state)
{
    struct desk *d = *state;
    struct desk_ingest_result a = ingest(d, IDENTITY_EMAIL, "Ann@Example.com", "t-1", "first");
    assert_true(a.new_customer);
    assert_true(a.new_ticket);
    /* same person written differently, same thread: same ticket */
    struct desk_ingest_result b = ingest(d, IDENTITY_EMAIL, " ann@example.com", "t-1", "second");
    assert_false(b.new_customer);
    assert_false(b.new_ticket);
    assert_int_equal(b.customer_id, a.customer_id);
    assert_int_equal(b.ticket_id, a.ticket_id);
    /* another thread: new ticket, same customer */
    struct desk_ingest_result c = ingest(d, IDENTITY_EMAIL, "ann@example.com", "t-2", "third");
    assert_true(c.new_ticket);
    assert_int_equal(c.customer_id, a.customer_id);

    struct store *st = desk_reader(d);
    struct message *msgs;
    size_t n;
    assert_int_equal(st->ops->message_list(st, a.ticket_id, &msgs, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(msgs[1].body, "second");
    store_free_messages(msgs, n);

    struct event_filter f = {.ticket_id = a.ticket_id};
    struct event *ev;
    assert_int_equal(st->ops->event_list(st, &f, &ev, &n), 0);
    assert_int_equal(n, 3); /* ticket.created, message.inbound x2 */
    assert_string_equal(ev[0].type, "ticket.created");
    assert_string_equal(ev[2].type, "message.inbound");
    assert_true(ev[1].id < ev[2].id);
    store_free_events(ev, n);
}

static void test_ingest_rejects_bad_input(void **state)
{
    struct desk *d = *state;
    struct desk_ingest_result r;
    struct desk_inbound in = {.channel = CHANNEL_CHAT, .id_kind = IDENTITY_EMAIL,
                              .id_value = "x@example.com", .body = ""};
    assert_int_equal(desk_ingest(d, &sys, &in, &r), PL_EINVAL);
    in.body = "bad \xff utf8";
    assert_int_equal(desk_ingest(d, &sys, &in, &r), PL_EUTF8);
    in.body = "fine";
    in.id_value = "not-an-email";
    assert_int_equal(desk_ingest(d, &sys, &in, &r), PL_EINVAL);
    /* nothing was written for the rejected customer */
    struct store *st = desk_reader(d);
    struct identity id;
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "x@example.com", &id),
                     PL_ENOTFOUND);
}

static void test_reply_status_and_rules(void **state)
{
    struct desk *d = *state;
    struct user u = {.email = xstrdup("agent@example.com"), .name = xstrdup("Agent"),
                     .role = ROLE_AGENT, .languages = xstrdup("en")};
    assert_int_equal(desk_user_add(d, &sys, &u, "password1"), 0);
    struct desk_actor agent = {ACTOR_USER, u.id, ROLE_AGENT};
    struct desk_ingest_result r = ingest(d, IDENTITY_PHONE, "+1 555 0100", NULL, "help");

    int64_t mid;
    assert_int_equal(desk_reply(d, &agent, r.ticket_id, "On it", &mid), 0);
    struct store *st = desk_reader(d);
    struct ticket t;
    assert_int_equal(st->ops->ticket_get(st, r.ticket_id, &t), 0);
    assert_int_equal(t.status, STATUS_OPEN);          /* new -> open on first reply */
    assert_true(t.first_response_at > 0);
    ticket_clear(&t);

    struct desk_ticket_patch p = {.set_status = true, .status = STATUS_CLOSED};
    assert_int_equal(desk_update_ticket(d, &agent, r.ticket_id, &p), PL_ESTATE);
    p.status = STATUS_RESOLVED;
    p.set_assignee = true;
    p.assignee_id = u.id;
    assert_int_equal(desk_update_ticket(d, &agent, r.ticket_id, &p), 0);
    p = (struct desk_ticket_patch){.set_assignee = true, .assignee_id = 999999};
    assert_int_equal(desk_update_ticket(d, &agent, r.ticket_id, &p), PL_ENOTFOUND);

    /* an API key may not reply */
    struct desk_actor key = {ACTOR_APIKEY, 1, ROLE_INTEGRATION};
    assert_int_equal(desk_reply(d, &key, r.ticket_id, "x", NULL), PL_EFORBIDDEN);
    /* the customer writes again: a resolved ticket is not reused */
    struct desk_ingest_result r2 = ingest(d, IDENTITY_PHONE, "+15550100", NULL, "again");
    assert_int_not_equal(r2.ticket_id, r.ticket_id);
    user_clear(&u);
}

static void test_login_and_tokens(void **state)
{
    struct desk *d = *state;
    struct user u = {.email = xstrdup("Boss@Example.com"), .role = ROLE_ADMIN};
    assert_int_equal(desk_user_add(d, &sys, &u, "correct horse"), 0);
    char *tok = NULL;
    struct user got = {0};
    assert_int_equal(desk_login(d, "boss@example.com", "wrong pass", 60000, &tok, &got), PL_EAUTH);
    assert_int_equal(desk_login(d, "nobody@example.com", "correct horse", 60000, &tok, &got),
                     PL_EAUTH);
    assert_int_equal(desk_login(d, "BOSS@example.com", "correct horse", 60000, &tok, &got), 0);
    assert_int_equal(got.role, ROLE_ADMIN);
    struct desk_actor who;
    assert_int_equal(desk_authenticate(d, tok, &who), 0);
    assert_int_equal(who.kind, ACTOR_USER);
    assert_int_equal(who.id, u.id);
    assert_int_equal(desk_logout(d, tok), 0);
    assert_int_equal(desk_authenticate(d, tok, &who), PL_EAUTH);
    free(tok);

    char *key = NULL;
    int64_t kid;
    struct desk_actor admin = {ACTOR_USER, u.id, ROLE_ADMIN};
    assert_int_equal(desk_apikey_add(d, &admin, "crm", ROLE_INTEGRATION, &key, &kid), 0);
    assert_int_equal(desk_authenticate(d, key, &who), 0);
    assert_int_equal(who.kind, ACTOR_APIKEY);
    assert_int_equal(who.role, ROLE_INTEGRATION);
    assert_int_equal(desk_authenticate(d, "plk_0000", &who), PL_EAUTH);
    struct desk_actor agent = {ACTOR_USER, u.id, ROLE_AGENT};
    char *k2 = NULL;
    assert_int_equal(desk_apikey_add(d, &agent, "x", ROLE_INTEGRATION, &k2, &kid), PL_EFORBIDDEN);
    free(key);
    user_clear(&u);
    user_clear(&got);
}

static void test_merge(void **state)
{
    struct desk *d = *state;
    struct desk_ingest_result a = ingest(d, IDENTITY_EMAIL, "merge-a@example.com", NULL, "a");
    struct desk_ingest_result b = ingest(d, IDENTITY_HANDLE, "@merge_b", NULL, "b");
    assert_int_not_equal(a.customer_id, b.customer_id);
    assert_int_equal(desk_merge_customers(d, &sys, a.customer_id, a.customer_id), PL_EINVAL);
    assert_int_equal(desk_merge_customers(d, &sys, a.customer_id, b.customer_id), 0);
    struct store *st = desk_reader(d);
    struct identity *ids;
    size_t n;
    assert_int_equal(st->ops->identity_list(st, a.customer_id, &ids, &n), 0);
    assert_int_equal(n, 2);
    store_free_identities(ids, n);
    struct ticket t;
    assert_int_equal(st->ops->ticket_get(st, b.ticket_id, &t), 0);
    assert_int_equal(t.customer_id, a.customer_id);
    ticket_clear(&t);
    /* the handle now finds the merged customer */
    struct desk_ingest_result c = ingest(d, IDENTITY_HANDLE, "merge_b", NULL, "c");
    assert_int_equal(c.customer_id, a.customer_id);
    assert_int_equal(desk_merge_customers(d, &sys, a.customer_id, b.customer_id), PL_ESTATE);
}

struct burst { struct desk *d; int n; int base; int64_t *ids; };

static void *burst_main(void *arg)
{
    struct burst *b = arg;
    for (int i = 0; i < b->n; i++) {
        char who[64], body[64];
        snprintf(who, sizeof who, "burst%d@example.com", b->base + i);
        snprintf(body, sizeof body, "message %d", b->base + i);
        struct desk_inbound in = {.channel = CHANNEL_API, .id_kind = IDENTITY_EMAIL,
                                  .id_value = who, .body = body};
        struct desk_ingest_result r;
        b->ids[i] = desk_ingest(b->d, &sys, &in, &r) == 0 ? r.message_id : -1;
    }
    return NULL;
}

/* Many threads at once: the group commit must answer each one correctly. */
static void test_concurrent_ingest(void **state)
{
    struct desk *d = *state;
    enum { T = 8, N = 50 };
    pthread_t th[T];
    struct burst b[T];
    int64_t ids[T][N];
    for (int t = 0; t < T; t++) {
        b[t] = (struct burst){d, N, t * N, ids[t]};
        pthread_create(&th[t], NULL, burst_main, &b[t]);
    }
    for (int t = 0; t < T; t++)
        pthread_join(th[t], NULL);
    struct store *st = desk_reader(d);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < N; i++) {
            assert_true(ids[t][i] > 0);
            struct message m;
            assert_int_equal(st->ops->message_get(st, ids[t][i], &m), 0);
            char body[64];
            snprintf(body, sizeof body, "message %d", t * N + i);
            assert_string_equal(m.body, body);
            message_clear(&m);
        }
    assert_true(desk_last_event(d) > 0);
}

static int import_str(struct desk *d, const char *csv, struct desk_import_report *rep)
{
    FILE *fp = fmemopen((void *)csv, strlen(csv), "r");
    int rc = desk_import_csv(d, &sys, fp, rep, NULL, NULL);
    fclose(fp);
    return rc;
}

static void test_import(void **state)
{
    struct desk *d = *state;
    struct user u = {.email = xstrdup("imp-agent@example.com"), .role = ROLE_AGENT};
    assert_int_equal(desk_user_add(d, &sys, &u, "password1"), 0);
    user_clear(&u);
    struct desk_import_report rep;
    const char *bad =
        "ticket,created_at,direction,body,customer_email,author_email,status\n"
        "T1,2025-01-02T10:00:00Z,inbound,Hello,imp1@example.com,,\n"
        "T1,yesterday,reply,Hi,,imp-agent@example.com,\n"
        "T2,2025-01-03T10:00:00Z,inbound,,imp2@example.com,,\n"
        "T3,2025-01-03T10:00:00Z,shout,x,imp3@example.com,,\n";
    assert_int_equal(import_str(d, bad, &rep), PL_EPARSE);
    assert_int_equal(rep.nerrors, 3);
    assert_non_null(strstr(rep.errors[0], "line 3"));
    assert_non_null(strstr(rep.errors[1], "line 4"));
    assert_non_null(strstr(rep.errors[2], "line 5"));
    desk_import_report_clear(&rep);
    struct store *st = desk_reader(d);
    struct identity id;
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "imp1@example.com", &id),
                     PL_ENOTFOUND);

    /* an unknown author is only found while writing: still all or nothing */
    const char *late =
        "ticket,created_at,direction,body,customer_email,author_email\n"
        "L1,2025-01-02T10:00:00Z,inbound,Hello,late@example.com,\n"
        "L1,2025-01-02T11:00:00Z,reply,Hi,,ghost@example.com\n";
    assert_int_equal(import_str(d, late, &rep), PL_ENOTFOUND);
    assert_non_null(strstr(rep.errors[0], "line 3"));
    desk_import_report_clear(&rep);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "late@example.com", &id),
                     PL_ENOTFOUND);

    const char *good =
        "ticket,created_at,direction,body,customer_email,author_email,status,category\n"
        "G1,2025-01-02T10:00:00Z,inbound,\"Where is my order, please?\",g1@example.com,,,delivery\n"
        "G1,2025-01-02T11:00:00Z,reply,On its way,,imp-agent@example.com,resolved,\n"
        "G1,2025-01-05T09:00:00Z,inbound,It never came,g1@example.com,,,\n"
        "G2,2025-01-03T10:00:00Z,note,internal,,imp-agent@example.com,,\n";
    assert_int_equal(import_str(d, good, &rep), PL_EINVAL); /* G2 starts with a note */
    assert_non_null(strstr(rep.errors[0], "line 5"));
    desk_import_report_clear(&rep);
    char *ok = xstrndup(good, (size_t)(strstr(good, "G2,") - good));
    assert_int_equal(import_str(d, ok, &rep), 0);
    assert_int_equal(rep.tickets, 1);   /* reopened, not a second ticket */
    assert_int_equal(rep.messages, 3);
    desk_import_report_clear(&rep);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "g1@example.com", &id), 0);
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.customer_id = id.customer_id;
    struct ticket *ts;
    size_t n;
    assert_int_equal(st->ops->ticket_list(st, &f, &ts, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ts[0].status, STATUS_OPEN);
    assert_string_equal(ts[0].category, "delivery");
    assert_int_equal(ts[0].message_count, 3);
    store_free_tickets(ts, n);
    identity_clear(&id);
    /* the same file again is refused, not duplicated */
    assert_int_not_equal(import_str(d, ok, &rep), 0);
    desk_import_report_clear(&rep);
    free(ok);
}

/* Aggregates follow committed events: what is replayed at enable and what
 * commits afterwards both count, exactly once. */
static void test_live_metrics(void **state)
{
    struct desk *d = *state;
    struct desk_ingest_result before = ingest(d, IDENTITY_EMAIL, "m1@example.com", NULL, "x");
    assert_int_equal(desk_metrics_enable(d), 0);
    struct insight_report r0;
    desk_report(d, INSIGHT_DAY, 0, INT64_MAX / 2, INSIGHT_DIM_ALL, 0, &r0);
    struct desk_ingest_result a = ingest(d, IDENTITY_EMAIL, "m2@example.com", NULL, "y");
    int64_t mid;
    assert_int_equal(desk_reply(d, &sys, a.ticket_id, "done", &mid), 0);
    struct desk_ticket_patch p = {.set_status = true, .status = STATUS_RESOLVED};
    assert_int_equal(desk_update_ticket(d, &sys, a.ticket_id, &p), 0);
    struct insight_report r1;
    desk_report(d, INSIGHT_DAY, 0, INT64_MAX / 2, INSIGHT_DIM_ALL, 0, &r1);
    assert_int_equal(r1.sum.created, r0.sum.created + 1);
    assert_int_equal(r1.sum.inbound, r0.sum.inbound + 1);
    assert_int_equal(r1.sum.replies, r0.sum.replies + 1);
    assert_int_equal(r1.sum.resolved, r0.sum.resolved + 1);
    assert_true(r0.sum.created >= 1); /* the ticket from before enable was replayed */
    (void)before;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_finds_customer_and_thread),
        cmocka_unit_test(test_ingest_rejects_bad_input),
        cmocka_unit_test(test_reply_status_and_rules),
        cmocka_unit_test(test_login_and_tokens),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_concurrent_ingest),
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_live_metrics),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
