/* test_risk_track.c — risk features and training samples from a small
 * hand-written event history, labels checked one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "insight/risk_track.h"
#include "test_insight.h"

#define H 3600000LL
#define DAY (24 * H)
#define T0 1767225600000LL /* 2026-01-01 */

static int64_t g_id;

static void feed(struct insight_risk_track *tr, const char *type, int64_t ticket, int64_t cust,
                 enum actor_kind actor, const char *after, int64_t at)
{
    struct event e = {.id = ++g_id, .type = (char *)type, .actor_kind = actor,
                      .ticket_id = ticket, .customer_id = cust, .after = (char *)after,
                      .created_at = at};
    assert_int_equal(insight_risk_track_apply(tr, &e), 0);
}

static void created(struct insight_risk_track *tr, int64_t t, int64_t c, int64_t at)
{
    feed(tr, "ticket.created", t, c, ACTOR_CUSTOMER,
         "{\"channel\":\"chat\",\"priority\":\"normal\",\"status\":\"new\"}", at);
}

#define ANGRY "{\"analysis\":{\"emotion\":\"anger\",\"sentiment\":-0.8,\"anger\":0.9,\"cues\":[\"legal\"]}}"
#define CALM "{\"analysis\":{\"emotion\":\"neutral\",\"sentiment\":0.1,\"anger\":0.05,\"cues\":[]}}"
#define CANCEL "{\"analysis\":{\"emotion\":\"frustration\",\"sentiment\":-0.1,\"anger\":0.1,\"cues\":[\"cancel\"]}}"

static void inbound(struct insight_risk_track *tr, int64_t t, int64_t c, const char *an,
                    int64_t at)
{
    feed(tr, "message.inbound", t, c, ACTOR_CUSTOMER, an, at);
}

static void reply(struct insight_risk_track *tr, int64_t t, int64_t at)
{
    feed(tr, "message.reply", t, 0, ACTOR_USER, "{}", at);
}

static void resolve(struct insight_risk_track *tr, int64_t t, int64_t at)
{
    feed(tr, "ticket.status", t, 0, ACTOR_USER, "{\"status\":\"resolved\"}", at);
}

static void escalate(struct insight_risk_track *tr, int64_t t, int64_t at)
{
    feed(tr, "ticket.escalated", t, 0, ACTOR_SYSTEM, "{\"assignee_id\":2}", at);
}

static void test_live_features(void **state)
{
    (void)state;
    struct insight_risk_track *tr = insight_risk_track_new(false);
    created(tr, 1, 7, T0);
    inbound(tr, 1, 7, CALM, T0);
    feed(tr, "message.reply", 1, 0, ACTOR_SYSTEM, "{}", T0 + 1000); /* auto-ack: not an answer */
    inbound(tr, 1, 7, ANGRY, T0 + 2 * H);
    struct insight_ticket_features f;
    bool open = false;
    assert_int_equal(insight_risk_track_ticket(tr, 1, T0 + 5 * H, &f, &open), 0);
    assert_true(open);
    assert_true(fabs(f.anger_max - 0.9) < 1e-6);
    assert_true(fabs(f.negativity_max - 0.8) < 1e-6);
    assert_true(fabs(f.negativity_trend - 0.8) < 1e-6); /* 0 → 0.8 */
    assert_int_equal(f.cues, 1);
    assert_true(fabs(f.wait_hours - 3.0) < 1e-9);       /* since the last message */
    assert_int_equal(f.messages, 2);
    assert_int_equal(f.agent_replies, 0);
    assert_int_equal(f.channel, CHANNEL_CHAT);
    reply(tr, 1, T0 + 6 * H);
    assert_int_equal(insight_risk_track_ticket(tr, 1, T0 + 7 * H, &f, NULL), 0);
    assert_true(f.wait_hours == 0);
    assert_true(fabs(f.first_response_hours - 6.0) < 1e-9);
    assert_int_equal(f.agent_replies, 1);
    resolve(tr, 1, T0 + 8 * H);
    assert_int_equal(insight_risk_track_ticket(tr, 1, T0 + 9 * H, &f, &open), 0);
    assert_false(open);
    /* A second ticket ten days later is a repeat contact. */
    created(tr, 2, 7, T0 + 10 * DAY);
    assert_int_equal(insight_risk_track_ticket(tr, 2, T0 + 10 * DAY, &f, NULL), 0);
    assert_int_equal(f.repeat_contacts, 1);
    struct insight_customer_features c;
    assert_int_equal(insight_risk_track_customer(tr, 7, T0 + 12 * DAY, &c), 0);
    assert_int_equal(c.contacts_90d, 2);
    assert_int_equal(c.unresolved, 1);
    assert_true(fabs(c.negative_share - 0.5) < 1e-9);
    assert_true(fabs(c.days_since_contact - 2.0) < 1e-9);
    assert_true(fabs(c.tenure_days - 12.0) < 1e-9);
    assert_int_equal(insight_risk_track_ticket(tr, 99, T0, &f, NULL), PL_ENOTFOUND);
    assert_int_equal(insight_risk_track_customer(tr, 99, T0, &c), PL_ENOTFOUND);
    /* Damaged JSON is refused, and changes nothing. */
    struct event bad = {.id = 1000, .type = "message.inbound", .ticket_id = 2,
                        .customer_id = 7, .after = "{nope", .created_at = T0 + 11 * DAY};
    assert_int_equal(insight_risk_track_apply(tr, &bad), PL_EPARSE);
    insight_risk_track_free(tr);
}

static void test_escalation_and_csat_samples(void **state)
{
    (void)state;
    struct insight_risk_track *tr = insight_risk_track_new(true);
    /* 1: calm, then three hours later an angry message that triage
     * escalates: the wait before it is a positive sample. */
    created(tr, 1, 1, T0);
    inbound(tr, 1, 1, CALM, T0);
    inbound(tr, 1, 1, ANGRY, T0 + 3 * H);
    escalate(tr, 1, T0 + 3 * H);
    /* 2: escalated by its first message: the rule, no sample. */
    created(tr, 2, 2, T0 + H);
    inbound(tr, 2, 2, ANGRY, T0 + H);
    escalate(tr, 2, T0 + H);
    resolve(tr, 2, T0 + 9 * H);
    /* 3: answered and resolved: a negative sample, rated 1. */
    created(tr, 3, 3, T0 + 2 * H);
    inbound(tr, 3, 3, CALM, T0 + 2 * H);
    reply(tr, 3, T0 + 4 * H);
    resolve(tr, 3, T0 + 5 * H);
    feed(tr, "survey.answered", 3, 3, ACTOR_CUSTOMER, "{\"score\":1}", T0 + 6 * H);
    /* 4: still waiting at the end of the history: outcome unknown. */
    created(tr, 4, 4, T0 + 7 * H);
    inbound(tr, 4, 4, CALM, T0 + 7 * H);

    struct insight_risk_data d;
    insight_risk_track_dataset(tr, INSIGHT_RISK_ESCALATION, T0 + DAY, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.d, insight_risk_nfeatures(INSIGHT_RISK_ESCALATION));
    int seen1 = 0, seen3 = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (d.at[i] < T0 + 2 * H) { /* ticket 1's wait [T0, T0+3h) ... */
            assert_int_equal(d.y[i], 1);
            assert_true(d.at[i] >= T0);
            /* ... seen before the angry message: no anger, one message */
            assert_true(d.X[i * (size_t)d.d + 0] < 0.1);
            seen1++;
        } else { /* ticket 3's wait [T0+2h, T0+4h) */
            assert_int_equal(d.y[i], 0);
            assert_true(d.at[i] < T0 + 4 * H);
            seen3++;
        }
    }
    assert_int_equal(seen1 + seen3, 2);
    insight_risk_data_release(&d);

    insight_risk_track_dataset(tr, INSIGHT_RISK_LOW_CSAT, T0 + DAY, &d);
    assert_int_equal(d.n, 1); /* only the rated ticket */
    assert_int_equal(d.y[0], 1);
    insight_risk_data_release(&d);
    insight_risk_track_free(tr);
}

static void test_churn_samples(void **state)
{
    (void)state;
    struct insight_risk_track *tr = insight_risk_track_new(true);
    /* 10: escalated ticket, resolved on day 0, never back: churned. */
    created(tr, 10, 10, T0);
    inbound(tr, 10, 10, ANGRY, T0);
    escalate(tr, 10, T0);
    resolve(tr, 10, T0 + H);
    /* 11: bad ticket, but back on day 10: stayed. */
    created(tr, 11, 11, T0);
    inbound(tr, 11, 11, ANGRY, T0);
    resolve(tr, 11, T0 + H);
    created(tr, 12, 11, T0 + 10 * DAY);
    /* 12: a good ticket and silence is not churn. */
    created(tr, 13, 12, T0);
    inbound(tr, 13, 12, CALM, T0);
    resolve(tr, 13, T0 + H);
    /* 13: resolved on day 90 of 100, nothing since: unknown, left out. */
    created(tr, 14, 13, T0 + 90 * DAY);
    inbound(tr, 14, 13, ANGRY, T0 + 90 * DAY);
    resolve(tr, 14, T0 + 90 * DAY + H);
    /* 14: resolved on day 90, says they are leaving on day 95: churned. */
    created(tr, 15, 14, T0 + 90 * DAY);
    inbound(tr, 15, 14, CALM, T0 + 90 * DAY);
    resolve(tr, 15, T0 + 90 * DAY + H);
    created(tr, 16, 14, T0 + 95 * DAY);
    inbound(tr, 16, 14, CANCEL, T0 + 95 * DAY);

    struct insight_risk_data d;
    insight_risk_track_dataset(tr, INSIGHT_RISK_CHURN, T0 + 100 * DAY, &d);
    assert_int_equal(d.n, 4);
    int pos = 0;
    for (size_t i = 0; i < d.n; i++) {
        pos += d.y[i];
        if (d.at[i] == T0 + 90 * DAY + H)
            assert_int_equal(d.y[i], 1); /* customer 14, the only late one kept */
    }
    assert_int_equal(pos, 2); /* customers 10 and 14 */
    insight_risk_data_release(&d);
    insight_risk_track_free(tr);
}

static void test_fit_reports_and_refuses(void **state)
{
    (void)state;
    struct insight_risk_data d = {.kind = INSIGHT_RISK_CHURN,
                                  .d = insight_risk_nfeatures(INSIGHT_RISK_CHURN)};
    size_t n = 400;
    d.X = calloc(n * (size_t)d.d, sizeof *d.X);
    d.y = calloc(n, sizeof *d.y);
    d.at = calloc(n, sizeof *d.at);
    d.n = n;
    unsigned s = 7;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        double u = ((s >> 16) & 0x7fff) / 32768.0;
        d.X[i * (size_t)d.d + 7] = floor(u * 4); /* escalations */
        s = s * 1103515245u + 12345u;
        d.y[i] = ((s >> 16) & 0x7fff) / 32768.0 < 0.1 + 0.25 * d.X[i * (size_t)d.d + 7];
        d.at[i] = T0 + (int64_t)i * H;
    }
    struct insight_risk_model m;
    json_t *rep = NULL;
    const char *why = NULL;
    assert_int_equal(insight_risk_fit(&d, 0, 1.0, &m, &rep, &why), 0);
    const json_t *test = json_object_get(rep, "test");
    assert_int_equal(json_integer_value(json_object_get(test, "n")), 80); /* last 20 % */
    assert_true(json_real_value(json_object_get(test, "auc")) > 0.6);
    assert_true(json_real_value(json_object_get(test, "brier")) <
                json_real_value(json_object_get(test, "baseline_brier")));
    assert_true(json_array_size(json_object_get(test, "reliability")) >= 2);
    json_decref(rep);
    /* A held-out period with nothing in it is refused, with the reason. */
    assert_int_equal(insight_risk_fit(&d, T0 + 1000 * DAY, 1.0, &m, &rep, &why), PL_EINVAL);
    assert_non_null(why);
    assert_null(rep);
    for (size_t i = 0; i < n; i++)
        d.y[i] = 0;
    assert_int_equal(insight_risk_fit(&d, 0, 1.0, &m, &rep, &why), PL_EINVAL);
    insight_risk_data_release(&d);
}

int run_risk_track_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_features),
        cmocka_unit_test(test_escalation_and_csat_samples),
        cmocka_unit_test(test_churn_samples),
        cmocka_unit_test(test_fit_reports_and_refuses),
    };
    return cmocka_run_group_tests_name("risk_track", tests, NULL, NULL);
}
