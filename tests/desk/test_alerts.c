/* test_alerts.c — the alert detectors as wired in the desk, over a real
 * store, on a small history checked by hand:
 *
 *   four negative "billing" complaints 70, 50, 40 and 30 hours before the
 *   test hour (never at its hour of day), then a burst inside it.
 *
 * The spike detector's history starts 70 h back (≥ 24 h: it may alert; <
 * 336 h: the baseline is young, tested with a margin of 1.5). Its
 * expectation for the test hour is the floor of 0.05 an hour: the level is
 * about 4/70 = 0.057, and an hour of day that never had a complaint weighs
 * about 0.5 of it. The CUSUM tests a doubling against 1.5 × 0.05 = 0.075;
 * with x messages in the hour it gains, Poisson, x·ln 2 − 0.075 — under
 * the threshold 6 up to 8 messages, over it from 9. The overdispersion α
 * the detector measures (0 ≤ α ≤ 2, shape k = 1/α) only lowers the gain
 * per message, to x·ln(2(k + 0.075)/(k + 0.15)) + k·ln((k + 0.075)/(k +
 * 0.15)), which at α = 2 crosses 6 at the 11th. So the alert is raised by
 * a message from the 9th to the 11th, while the hour is still open, with
 * "observed" that many messages — and only once.
 * The analysis is given (the text engine has its own tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "text/text.h"
#include "tmpdb.h"

#define HOUR 3600000LL

static char dbpath[256];
static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static int setup(void **state)
{
    struct desk *d;
    if (tmpdb_open("alerts-test", dbpath, sizeof dbpath, &d))
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

/* A negative billing complaint from customer n at `at`. */
static int64_t complain(struct desk *d, int n, int64_t at)
{
    struct text_analysis a = {0};
    memcpy(a.language, "en", 3);
    a.emotions[TEXT_EMOTION_ANGER] = 0.8f;
    a.sentiment = -0.7f;
    memcpy(a.intent, "payment", 8);
    a.intent_confidence = 0.9f;
    char who[64];
    snprintf(who, sizeof who, "c%d@example.com", n);
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = who, .subject = "Charged twice",
                              .body = "You charged me twice!", .created_at = at, .analysis = &a,
                              .analysis_json = "{\"sentiment\":-0.7,\"language\":\"en\"}"};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
    return r.ticket_id;
}

static size_t count(struct desk *d, int open_only, const char *kind, struct alert *first)
{
    struct alert *v = NULL;
    size_t n = 0, k = 0;
    assert_int_equal(desk_alert_list(d, open_only, 100, &v, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (kind && strcmp(v[i].kind, kind))
            continue;
        if (k++ == 0 && first) {
            *first = v[i];
            memset(&v[i], 0, sizeof v[i]);
        }
    }
    store_free_alerts(v, n);
    return k;
}

static void test_spike_on_a_hand_checked_history(void **state)
{
    struct desk *d = *state;
    /* The middle of the current hour: the burst cannot straddle two hours. */
    int64_t now = clock_now_ms(), t = now - now % HOUR + HOUR / 2;
    static const int hours_ago[] = {70, 50, 40, 30};
    for (int i = 0; i < 4; i++)
        complain(d, i, t - hours_ago[i] * HOUR);
    assert_int_equal(desk_metrics_enable(d), 0);
    assert_int_equal(desk_alerts_enable(d), 0);
    assert_int_equal(count(d, 0, NULL, NULL), 0);   /* history is not news */

    int64_t last = 0;
    int k = 0;
    for (int i = 1; i <= 11 && !k; i++) {
        last = complain(d, 100 + i, t);
        if (count(d, 0, "spike", NULL))
            k = i;
    }
    assert_true(k >= 9 && k <= 11);
    struct alert a = {0};
    assert_int_equal(count(d, 1, "spike", &a), 1);
    assert_string_equal(a.category, "billing");
    assert_string_equal(a.metric, "negative_messages");
    assert_true(fabs(a.observed - k) < 1e-9);
    assert_true(fabs(a.expected - 0.05) < 1e-9);
    assert_true(fabs(a.size - k / 0.05) < 1e-6);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)last);
    assert_non_null(strstr(a.ticket_ids, id));
    alert_clear(&a);

    complain(d, 109, t);
    assert_int_equal(count(d, 0, "spike", NULL), 1);   /* a continuing spike: one alert */
}

static void test_raise_and_acknowledge(void **state)
{
    struct desk *d = *state;
    struct alert a = {.kind = (char *)"goal", .metric = (char *)"ttr_mean_ms", .observed = 9.1, .expected = 8,
                      .size = 9.1 / 8};
    assert_int_equal(desk_alert_raise(d, &a), 0);
    assert_true(a.id > 0 && a.created_at > 0);
    struct alert bad = {0};
    assert_int_equal(desk_alert_raise(d, &bad), PL_EINVAL);

    const struct desk_actor agent = {ACTOR_USER, 5, ROLE_AGENT};
    const struct desk_actor boss = {ACTOR_USER, 6, ROLE_SUPERVISOR};
    assert_int_equal(desk_alert_ack(d, &agent, a.id), PL_EFORBIDDEN);
    assert_int_equal(desk_alert_ack(d, &boss, a.id), 0);
    assert_int_equal(desk_alert_ack(d, &boss, a.id + 1000), PL_ENOTFOUND);
    assert_int_equal(count(d, 1, "goal", NULL), 0);
    struct alert g = {0};
    assert_int_equal(count(d, 0, "goal", &g), 1);
    assert_int_equal(g.acknowledged_by, 6);
    assert_string_equal(g.ticket_ids, "[]");
    alert_clear(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spike_on_a_hand_checked_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raise_and_acknowledge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
