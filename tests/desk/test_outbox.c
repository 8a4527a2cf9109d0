/* test_outbox.c — the outbox's promise at the desk: a delivery exists
 * exactly when the change that causes it committed (a rolled-back reply
 * queues nothing), one e-mail per outbound message on an e-mail ticket
 * (not notes, not chat tickets, not history), webhook rows for matching
 * events only, and attempts recorded with backoff up to a final state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "desk/desk.h"
#include "tmpdb.h"

static char dbpath[256];
static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static int setup(void **state)
{
    struct desk *d;
    if (tmpdb_open("outbox-test", dbpath, sizeof dbpath, &d))
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

static int64_t ticket_on(struct desk *d, enum channel ch, const char *who)
{
    struct desk_inbound in = {.channel = ch, .id_kind = IDENTITY_EMAIL, .id_value = who,
                              .subject = "Order 7", .body = "Where is my order?"};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
    return r.ticket_id;
}

/* Every delivery in the outbox that is due now (e-mail and webhook). */
static size_t due(struct desk *d, struct desk_send **v)
{
    size_t n = 0;
    unsigned all = (1u << DELIVERY_EMAIL) | (1u << DELIVERY_WEBHOOK);
    assert_int_equal(desk_outbox_due(d, all, 100, v, &n), 0);
    return n;
}

struct reply_then_fail {
    int64_t ticket_id;
    int64_t message_id;
};

static int reply_then_fail(struct desk_tx *tx, void *arg)
{
    struct reply_then_fail *a = arg;
    int rc = desk_post_tx(tx, &sys, a->ticket_id, MESSAGE_REPLY, "Sent soon.", 1000,
                          &a->message_id);
    return rc ? rc : PL_ECONFLICT;   /* the use case fails after writing */
}

static int history_reply(struct desk_tx *tx, void *arg)
{
    tx->history = true;
    int64_t *ticket_id = arg;
    int64_t mid;
    return desk_post_tx(tx, &sys, *ticket_id, MESSAGE_REPLY, "Old answer.", 1000, &mid);
}

static void test_email_rows_follow_commits(void **state)
{
    struct desk *d = *state;
    desk_set_mail_from(d, "Support <help@shop.example>");
    int64_t t = ticket_on(d, CHANNEL_EMAIL, "anna@example.org");
    int64_t chat = ticket_on(d, CHANNEL_CHAT, "boris@example.org");
    struct desk_send *v = NULL;
    assert_int_equal(due(d, &v), 0);          /* inbound mail queues nothing */
    desk_outbox_free(v, 0);

    struct reply_then_fail f = {t, 0};
    assert_int_equal(desk_exec(d, reply_then_fail, &f), PL_ECONFLICT);
    assert_true(f.message_id > 0);
    assert_int_equal(desk_exec(d, history_reply, &t), 0);
    int64_t note = 0, chat_reply = 0, reply = 0;
    assert_int_equal(desk_note(d, &sys, t, "internal", &note), 0);
    assert_int_equal(desk_reply(d, &sys, chat, "On chat.", &chat_reply), 0);
    assert_int_equal(due(d, &v), 0);          /* rolled back, history, note, chat: none */
    desk_outbox_free(v, 0);

    assert_int_equal(desk_reply(d, &sys, t, "We are on it.", &reply), 0);
    size_t n = due(d, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].dl.kind, DELIVERY_EMAIL);
    assert_int_equal(v[0].dl.message_id, reply);
    assert_string_equal(v[0].to, "anna@example.org");
    assert_string_equal(v[0].subject, "Re: Order 7");
    assert_string_equal(v[0].body, "We are on it.");
    assert_non_null(strstr(v[0].message_id, "@shop.example"));
    assert_null(v[0].fail);
    int64_t id = v[0].dl.id;
    desk_outbox_free(v, n);
    desk_reader_release(d);

    /* Attempts: retrying with a later due time, then sent; never due again. */
    assert_int_equal(desk_outbox_result(d, id, "SMTP: connection refused", false), 0);
    assert_int_equal(due(d, &v), 0);          /* next attempt is in the future */
    desk_outbox_free(v, 0);
    assert_int_equal(desk_outbox_retry(d, &sys, reply), 0);
    n = due(d, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].dl.attempts, 0);    /* a forced retry starts a fresh budget */
    desk_outbox_free(v, n);
    assert_int_equal(desk_outbox_result(d, id, NULL, false), 0);
    assert_int_equal(due(d, &v), 0);
    desk_outbox_free(v, 0);
    assert_int_equal(desk_outbox_retry(d, &sys, reply), PL_ESTATE);
    assert_int_equal(desk_outbox_retry(d, &sys, note), PL_ENOTFOUND);
    desk_reader_release(d);
}

static void test_permanent_and_exhausted(void **state)
{
    struct desk *d = *state;
    desk_set_mail_from(d, "help@shop.example");
    int64_t t = ticket_on(d, CHANNEL_EMAIL, "carl@example.org");
    int64_t m1 = 0, m2 = 0;
    assert_int_equal(desk_reply(d, &sys, t, "One.", &m1), 0);
    assert_int_equal(desk_reply(d, &sys, t, "Two.", &m2), 0);
    struct desk_send *v = NULL;
    size_t n = due(d, &v);
    assert_int_equal(n, 2);
    int64_t first = v[0].dl.id, second = v[1].dl.id;
    desk_outbox_free(v, n);
    desk_reader_release(d);
    assert_int_equal(desk_outbox_result(d, first, "SMTP 550: no such user", true), 0);
    for (int i = 0; i < DESK_OUTBOX_ATTEMPTS; i++)
        assert_int_equal(desk_outbox_result(d, second, "SMTP: timeout", false), 0);
    assert_int_equal(due(d, &v), 0);          /* both failed: nothing left to try */
    desk_outbox_free(v, 0);
    struct store *st = desk_reader(d);
    struct delivery dl = {0};
    assert_int_equal(st->ops->delivery_get(st, first, &dl), 0);
    assert_int_equal(dl.status, DELIVERY_FAILED);
    assert_int_equal(dl.attempts, 1);
    assert_string_equal(dl.last_error, "SMTP 550: no such user");
    delivery_clear(&dl);
    assert_int_equal(st->ops->delivery_get(st, second, &dl), 0);
    assert_int_equal(dl.status, DELIVERY_FAILED);
    assert_int_equal(dl.attempts, DESK_OUTBOX_ATTEMPTS);
    delivery_clear(&dl);
    desk_reader_release(d);
}

static void test_webhook_rows(void **state)
{
    struct desk *d = *state;
    struct webhook w;
    assert_int_equal(desk_webhook_add(d, &sys, "ftp://x", "*", NULL, &w), PL_EINVAL);
    assert_int_equal(desk_webhook_add(d, &sys, "http://h/x", "ticket.", NULL, &w), PL_EINVAL);
    assert_int_equal(desk_webhook_add(d, &sys, "http://h/x", "a,,b", NULL, &w), PL_EINVAL);
    struct desk_actor agent = {ACTOR_USER, 5, ROLE_AGENT};
    assert_int_equal(desk_webhook_add(d, &agent, "http://h/x", "*", NULL, &w), PL_EFORBIDDEN);
    assert_int_equal(desk_webhook_add(d, &sys, "http://127.0.0.1:9/h", "ticket.*,message.created",
                                      NULL, &w), 0);
    assert_non_null(w.secret);
    int64_t hook = w.id;
    webhook_clear(&w);

    int64_t t = ticket_on(d, CHANNEL_API, "dana@example.org");   /* customer, ticket, message */
    int64_t note = 0;
    assert_int_equal(desk_note(d, &sys, t, "internal", &note), 0);
    struct desk_send *v = NULL;
    size_t n = due(d, &v);
    /* ticket.created and message.inbound; not customer.created, not the note */
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].dl.kind, DELIVERY_WEBHOOK);
        assert_int_equal(v[i].dl.webhook_id, hook);
        assert_string_equal(v[i].url, "http://127.0.0.1:9/h");
        assert_non_null(strstr(v[i].dl.payload, v[i].event_type));
    }
    assert_string_equal(v[0].event_type, "ticket.created");
    assert_string_equal(v[1].event_type, "message.inbound");
    desk_outbox_free(v, n);
    desk_reader_release(d);

    /* Deleted: the queued calls fail for good when their turn comes. */
    assert_int_equal(desk_webhook_delete(d, &sys, hook), 0);
    assert_int_equal(desk_webhook_delete(d, &sys, hook), PL_ENOTFOUND);
    n = due(d, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].fail, "the webhook was deleted");
    desk_outbox_free(v, n);
    desk_reader_release(d);
    (void)ticket_on(d, CHANNEL_API, "erik@example.org");
    n = due(d, &v);
    assert_int_equal(n, 2);                   /* nothing new queued */
    desk_outbox_free(v, n);
    desk_reader_release(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_email_rows_follow_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent_and_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
