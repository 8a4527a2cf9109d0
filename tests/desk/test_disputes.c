/* test_disputes.c — dispute panels over a real SQLite store: the decision
 * is taken at the quorum and not before, every vote and the decision are
 * leaves of the log, the decision's receipt verifies offline with only the
 * log's public key and says the outcome, and only listed reviewers vote,
 * once each, while the dispute is open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"
#include "tmpdb.h"

static char dbpath[256], keypath[256];

struct fixture {
    struct desk *d;
    int64_t ticket, customer;
    struct desk_actor boss, agent, r[3];
};

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static struct desk_actor add_user(struct desk *d, const char *email, enum role role)
{
    struct user u = {.email = xstrdup(email), .role = role};
    assert_int_equal(desk_user_add(d, &sys, &u, "password1"), 0);
    struct desk_actor a = {ACTOR_USER, u.id, role};
    user_clear(&u);
    return a;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *err = NULL;
    if (tmpdb_open("disputes", dbpath, sizeof dbpath, &f->d))
        return -1;
    snprintf(keypath, sizeof keypath, "/tmp/parley-disputes-%d.key", (int)getpid());
    unlink(keypath);
    if (desk_ledger_use_key(f->d, keypath, "test.parley/log", &err)) {
        fprintf(stderr, "setup: %s\n", err ? err : "?");
        return -1;
    }
    f->boss = add_user(f->d, "boss@example.com", ROLE_SUPERVISOR);
    f->agent = add_user(f->d, "agent@example.com", ROLE_AGENT);
    f->r[0] = add_user(f->d, "r0@example.com", ROLE_AGENT);
    f->r[1] = add_user(f->d, "r1@example.com", ROLE_SUPERVISOR);
    f->r[2] = add_user(f->d, "r2@example.com", ROLE_ADMIN);
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = "angry@example.com",
                              .body = "You charged me twice and refuse to refund."};
    struct desk_ingest_result res;
    if (desk_ingest(f->d, &sys, &in, &res))
        return -1;
    f->ticket = res.ticket_id;
    f->customer = res.customer_id;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char p[300];
    desk_close(f->d);
    tmpdb_remove(dbpath);
    unlink(keypath);
    snprintf(p, sizeof p, "%s.pub", keypath);
    unlink(p);
    snprintf(p, sizeof p, "%s.data-key", dbpath);
    unlink(p);
    free(f);
    return 0;
}

static int64_t open_panel(struct fixture *f, size_t n, int quorum)
{
    int64_t ids[3] = {f->r[0].id, f->r[1].id, f->r[2].id};
    struct dispute dp;
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, ids, n, quorum,
                                       "Refund the double charge?", &dp),
                     0);
    assert_string_equal(dp.status, "open");
    int64_t id = dp.id;
    dispute_clear(&dp);
    return id;
}

static void vote(struct fixture *f, int64_t id, int who, const char *decision, const char *status)
{
    struct dispute dp;
    assert_int_equal(desk_dispute_vote(f->d, &f->r[who], id, decision, "because", &dp), 0);
    assert_string_equal(dp.status, status);
    dispute_clear(&dp);
}

static char *pubkey(struct desk *d)
{
    char *v = desk_ledger_vkey(d);
    assert_non_null(v);
    return v;
}

static void test_decision_at_quorum(void **state)
{
    struct fixture *f = *state;
    int64_t id = open_panel(f, 3, 2);
    uint64_t before = desk_ledger_size(f->d);
    vote(f, id, 0, "uphold", "open");
    vote(f, id, 1, "reject", "open");            /* 1–1: no quorum yet */
    assert_int_equal(desk_ledger_size(f->d), before + 2);   /* each vote is a leaf */
    char *json = NULL;
    assert_int_equal(desk_dispute_receipt(f->d, id, false, &json), PL_ESTATE);
    vote(f, id, 2, "uphold", "decided");         /* 2 uphold: the quorum */

    struct dispute dp;
    assert_int_equal(desk_dispute_get(f->d, id, &dp), 0);
    assert_string_equal(dp.decision, "uphold");
    assert_int_equal(dp.nvotes, 3);
    assert_true(dp.decision_event_id > 0 && dp.decided_at > 0);
    for (size_t i = 0; i < dp.nvotes; i++) {   /* each vote has its receipt too */
        assert_int_equal(desk_ledger_receipt(f->d, dp.votes[i].event_id, &json), 0);
        free(json);
    }
    dispute_clear(&dp);

    /* The customer's receipt for the decision verifies offline and says it. */
    assert_int_equal(desk_dispute_receipt(f->d, id, false, &json), 0);
    char *vk = pubkey(f->d);
    struct ledger_receipt r;
    assert_int_equal(ledger_receipt_verify_text(json, strlen(json), vk, &r), 0);
    struct event e;
    assert_int_equal(ledger_event_decode(r.event, r.event_len, &e), 0);
    assert_string_equal(e.type, "dispute.decided");
    assert_int_equal(e.ticket_id, f->ticket);
    assert_non_null(strstr(e.after, "\"decision\":\"uphold\""));
    event_clear(&e);
    ledger_receipt_clear(&r);
    /* ... and no longer once its event bytes are altered. */
    json_t *j = json_loads(json, 0, NULL);
    char *ev = xstrdup(json_string_value(json_object_get(j, "event")));
    ev[40] = ev[40] == 'A' ? 'B' : 'A';
    json_object_set_new(j, "event", json_string(ev));
    char *bad = json_dumps(j, 0);
    assert_int_not_equal(ledger_receipt_verify_text(bad, strlen(bad), vk, &r), 0);
    ledger_receipt_clear(&r);
    free(bad);
    free(ev);
    json_decref(j);
    free(json);
    free(vk);

    /* The ticket carries a note saying the outcome. */
    struct store *st = desk_reader(f->d);
    struct message *m = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->message_list(st, f->ticket, &m, &n), 0);
    assert_true(n >= 2);
    assert_int_equal(m[n - 1].kind, MESSAGE_NOTE);
    assert_non_null(strstr(m[n - 1].body, "decided by the review panel: uphold"));
    store_free_messages(m, n);

    struct desk_verify_report rep;
    char url[300];
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    assert_int_equal(desk_ledger_verify(url, NULL, &rep), 0);
    assert_true(rep.ok);
    free(rep.problem);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    int64_t ids[3] = {f->r[0].id, f->r[1].id, f->r[2].id};
    int64_t with_self[2] = {f->r[0].id, f->boss.id}, twice[2] = {f->r[0].id, f->r[0].id};
    int64_t unknown[1] = {9999};
    const char *q = "Refund?";
    assert_int_equal(desk_dispute_open(f->d, &f->agent, f->ticket, ids, 3, 2, q, NULL),
                     PL_EFORBIDDEN);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, with_self, 2, 1, q, NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, twice, 2, 1, q, NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, unknown, 1, 1, q, NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, ids, 3, 4, q, NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, ids, 3, 0, q, NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket, ids, 3, 2, "", NULL),
                     PL_EINVAL);
    assert_int_equal(desk_dispute_open(f->d, &f->boss, f->ticket + 100, ids, 3, 2, q, NULL),
                     PL_ENOTFOUND);

    int64_t id = open_panel(f, 3, 2);
    assert_int_equal(desk_dispute_vote(f->d, &f->agent, id, "uphold", NULL, NULL), PL_EFORBIDDEN);
    assert_int_equal(desk_dispute_vote(f->d, &f->boss, id, "uphold", NULL, NULL), PL_EFORBIDDEN);
    assert_int_equal(desk_dispute_vote(f->d, &sys, id, "uphold", NULL, NULL), PL_EFORBIDDEN);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[0], id, "maybe", NULL, NULL), PL_EINVAL);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[0], id + 50, "uphold", NULL, NULL),
                     PL_ENOTFOUND);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[0], id, "reject", NULL, NULL), 0);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[0], id, "uphold", NULL, NULL), PL_EEXISTS);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[1], id, "reject", NULL, NULL), 0);
    assert_int_equal(desk_dispute_vote(f->d, &f->r[2], id, "uphold", NULL, NULL), PL_ESTATE);

    struct dispute dp;
    assert_int_equal(desk_dispute_get(f->d, id, &dp), 0);
    assert_string_equal(dp.decision, "reject");
    assert_int_equal(dp.nvotes, 2);
    dispute_clear(&dp);

    struct dispute *v = NULL;
    size_t n = 0;
    assert_int_equal(desk_dispute_list(f->d, "open", 0, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_disputes(v, n);
    assert_int_equal(desk_dispute_list(f->d, "decided", 0, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].nreviewers, 3);
    store_free_disputes(v, n);
    assert_int_equal(desk_dispute_list(f->d, "bogus", 0, &v, &n), PL_EINVAL);
}

static void test_deadlock(void **state)
{
    struct fixture *f = *state;
    int64_t id = open_panel(f, 2, 2);
    vote(f, id, 0, "uphold", "open");
    vote(f, id, 1, "reject", "deadlocked");   /* neither side can reach 2 any more */
    struct dispute dp;
    assert_int_equal(desk_dispute_get(f->d, id, &dp), 0);
    assert_null(dp.decision);
    assert_true(dp.decision_event_id > 0);
    dispute_clear(&dp);
    int64_t other = open_panel(f, 3, 3);
    vote(f, other, 0, "uphold", "open");
    vote(f, other, 1, "reject", "deadlocked"); /* 3 of 3 needed: already impossible */
}

/* Erasing the customer erases the question and the reasons, while the
 * decision and every receipt still verify: the log hashed the sealed text. */
static void test_erasure_keeps_the_decision(void **state)
{
    struct fixture *f = *state;
    int64_t id = open_panel(f, 2, 2);
    vote(f, id, 0, "uphold", "open");
    vote(f, id, 1, "uphold", "decided");
    char *before = NULL, *after = NULL, *vk = pubkey(f->d);
    assert_int_equal(desk_dispute_receipt(f->d, id, false, &before), 0);
    struct desk_erase_result res;
    assert_int_equal(desk_customer_erase(f->d, &sys, f->customer, &res), 0);

    struct dispute dp;
    assert_int_equal(desk_dispute_get(f->d, id, &dp), 0);
    assert_string_equal(dp.decision, "uphold");
    assert_string_equal(dp.question, "[erased]");
    assert_string_equal(dp.votes[0].reason, "[erased]");
    dispute_clear(&dp);

    struct ledger_receipt r;
    assert_int_equal(ledger_receipt_verify_text(before, strlen(before), vk, &r), 0);
    ledger_receipt_clear(&r);
    assert_int_equal(desk_dispute_receipt(f->d, id, false, &after), 0);
    assert_int_equal(ledger_receipt_verify_text(after, strlen(after), vk, &r), 0);
    struct event e;
    assert_int_equal(ledger_event_decode(r.event, r.event_len, &e), 0);
    assert_non_null(strstr(e.after, "\"decision\":\"uphold\""));
    assert_null(strstr(e.after, "double charge"));     /* the question was sealed */
    event_clear(&e);
    ledger_receipt_clear(&r);
    free(before);
    free(after);
    free(vk);

    struct desk_verify_report rep;
    char url[300];
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    assert_int_equal(desk_ledger_verify(url, NULL, &rep), 0);
    if (!rep.ok)
        fprintf(stderr, "verify: %s\n", rep.problem);
    assert_true(rep.ok);
    free(rep.problem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decision_at_quorum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erasure_keeps_the_decision, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
