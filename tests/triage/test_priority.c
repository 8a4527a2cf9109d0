/* test_priority.c — priority, trend, category, escalation and the whole
 * decision with its JSON, on hand-scored signals (points: docs/triage.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "triage/triage.h"
#include "test_triage.h"

static const struct triage_reason *find(const struct triage_reasons *r, const char *code)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].code, code) == 0)
            return &r->v[i];
    return NULL;
}

/* "Я подам на вас в суд! Третий раз пишу, никто не отвечает!" */
static struct triage_signal angry_ru_court(void)
{
    struct triage_signal s = {0};
    s.emotion[TRIAGE_ANGER] = 0.87f;
    s.emotion[TRIAGE_FRUSTRATION] = 0.5f;
    s.sentiment = -0.8f;
    s.cues = TRIAGE_CUE_LEGAL;
    s.language = "ru";
    s.intent = "refund";
    s.intent_confidence = 0.9f;
    return s;
}

static struct triage_signal calm(void)
{
    struct triage_signal s = {0};
    s.emotion[TRIAGE_NEUTRAL] = 0.8f;
    s.emotion[TRIAGE_ANGER] = 0.05f;
    s.sentiment = 0.1f;
    s.language = "en";
    return s;
}

static void angry_russian_court_threat(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_signal s = angry_ru_court();
    struct triage_context x = {.now = utc(2026, 11, 23, 10, 0)};
    struct triage_reasons why = {0};
    struct triage_priority p;
    triage_priority(&c, &s, &x, &p, &why);
    /* anger_high 3 + frustration_moderate 1 + sentiment_negative 1 + cue_legal 3 */
    assert_int_equal(p.score, 8);
    assert_int_equal(p.priority, PRIORITY_URGENT);
    assert_true(p.hostile);
    assert_true(p.intense);
    const struct triage_reason *r = find(&why, "anger_high");
    assert_non_null(r);
    assert_string_equal(r->en, "Strong anger (0.87)");
    assert_string_equal(r->ru, "Сильный гнев (0.87)");
    assert_string_equal(r->stage, "priority");
    assert_non_null(find(&why, "cue_legal"));
    assert_string_equal(find(&why, "cue_legal")->ru, "Угроза судом или юристами");
    assert_non_null(find(&why, "sentiment_negative"));
    assert_null(find(&why, "anger_rising"));   /* first message: no trend */
    triage_reasons_release(&why);

    /* The same anger without the threat is high, not urgent. */
    s.cues = 0;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 5);
    assert_int_equal(p.priority, PRIORITY_HIGH);
    triage_reasons_release(&why);
}

static void rising_trend(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_signal s = calm();
    s.emotion[TRIAGE_ANGER] = 0.7f;
    s.sentiment = -0.3f;
    const struct triage_prev up[] = {{0.1f, 0.0f}, {0.2f, -0.1f}, {0.3f, -0.2f}, {0.4f, -0.2f}};
    struct triage_context x = {.prev = up, .n_prev = 4};
    double d;
    /* Mean of the last three: 0.3 → +0.4. */
    assert_true(triage_rising(&c, &s, &x, &d));
    assert_float_equal(d, 0.4, 1e-6);
    struct triage_reasons why = {0};
    struct triage_priority p;
    triage_priority(&c, &s, &x, &p, &why);
    assert_true(p.rising);
    assert_non_null(find(&why, "anger_rising"));
    /* anger_high 3 + rising 1 */
    assert_int_equal(p.score, 4);
    triage_reasons_release(&why);

    /* Angry all along is not rising. */
    const struct triage_prev flat[] = {{0.8f, -0.5f}, {0.75f, -0.4f}};
    x.prev = flat;
    x.n_prev = 2;
    assert_false(triage_rising(&c, &s, &x, &d));
    /* Negativity rising with little anger still counts. */
    struct triage_signal t = calm();
    t.sentiment = -0.5f;
    const struct triage_prev pos[] = {{0.05f, 0.2f}};
    x.prev = pos;
    x.n_prev = 1;
    assert_true(triage_rising(&c, &t, &x, &d));
    x.n_prev = 0;
    assert_false(triage_rising(&c, &t, &x, &d));
}

static void waiting_repeats_tier(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_reasons why = {0};
    struct triage_priority p;
    struct triage_signal s = calm();
    struct triage_context x = {0};

    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.priority, PRIORITY_LOW);
    assert_non_null(find(&why, "calm"));
    triage_reasons_release(&why);

    x.waiting_ms = 90 * MIN;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.priority, PRIORITY_NORMAL);
    assert_string_equal(find(&why, "waiting")->en, "Waiting 90 min for an answer");
    triage_reasons_release(&why);

    /* Mild frustration (1) + long wait (2) → high. */
    s.emotion[TRIAGE_FRUSTRATION] = 0.45f;
    x.waiting_ms = 5 * HOUR;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 3);
    assert_int_equal(p.priority, PRIORITY_HIGH);
    assert_non_null(find(&why, "waiting_long"));
    triage_reasons_release(&why);

    /* Repeat contacts: one earlier (+1), three earlier (+2). */
    x.waiting_ms = 0;
    x.repeat_contacts = 1;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 2);
    assert_non_null(find(&why, "repeat_contact"));
    triage_reasons_release(&why);
    x.repeat_contacts = 3;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 3);
    assert_int_equal(p.priority, PRIORITY_HIGH);
    assert_non_null(find(&why, "repeat_contacts_many"));
    triage_reasons_release(&why);

    /* Tier: gold +1, vip +2, silver 0; lifetime value when configured. */
    x.repeat_contacts = 0;
    x.tier = "VIP";
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 3);
    assert_int_equal(p.priority, PRIORITY_HIGH);
    assert_string_equal(find(&why, "tier")->en, "Customer tier VIP");
    triage_reasons_release(&why);
    x.tier = "gold";
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 2);
    triage_reasons_release(&why);
    x.tier = "silver";
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 1);
    assert_null(find(&why, "tier"));
    triage_reasons_release(&why);
    c.high_value = 5000;
    x.lifetime_value = 12000;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.score, 2);
    assert_non_null(find(&why, "high_value"));
    triage_reasons_release(&why);
}

static void never_lowered(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_signal s = calm();
    struct triage_context x = {.existing = true, .current_priority = PRIORITY_URGENT};
    struct triage_reasons why = {0};
    struct triage_priority p;
    triage_priority(&c, &s, &x, &p, &why);
    assert_int_equal(p.priority, PRIORITY_URGENT);
    assert_non_null(find(&why, "priority_kept"));
    triage_reasons_release(&why);
}

static void categories(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_reasons why = {0};
    struct triage_signal s = calm();
    char cat[TRIAGE_NAME_MAX];
    s.intent = "refund";
    s.intent_confidence = 0.8f;
    triage_category(&c, &s, cat, sizeof cat, &why);
    assert_string_equal(cat, "billing");
    assert_non_null(find(&why, "intent_mapped"));
    s.intent = "warranty";
    triage_category(&c, &s, cat, sizeof cat, &why);
    assert_string_equal(cat, "warranty");
    assert_non_null(find(&why, "intent_as_category"));
    s.intent_confidence = 0.3f;
    triage_category(&c, &s, cat, sizeof cat, &why);
    assert_string_equal(cat, "");
    assert_non_null(find(&why, "intent_unsure"));
    /* A long Cyrillic intent: the category is cut to fit, the reasons stay
     * valid UTF-8 (truncation never splits a character). */
    char longi[400];
    size_t k = 0;
    while (k + 2 < sizeof longi) {
        memcpy(longi + k, "\xd0\xb6", 2);   /* ж */
        k += 2;
    }
    longi[k] = '\0';
    s.intent = longi;
    s.intent_confidence = 0.9f;
    triage_category(&c, &s, cat, sizeof cat, &why);
    assert_true(strlen(cat) < TRIAGE_NAME_MAX);
    assert_true(utf8_valid(cat, strlen(cat)));
    const struct triage_reason *last = &why.v[why.n - 1];
    assert_true(utf8_valid(last->en, strlen(last->en)));
    assert_true(utf8_valid(last->ru, strlen(last->ru)));
    s.intent = NULL;
    triage_category(&c, &s, cat, sizeof cat, &why);
    assert_string_equal(cat, "");
    assert_non_null(find(&why, "no_intent"));
    triage_reasons_release(&why);
}

static void escalation_rules(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_reasons why = {0};
    const int64_t now = utc(2026, 11, 23, 12, 0);
    struct triage_signal s = calm();
    s.emotion[TRIAGE_ANGER] = 0.85f;
    const struct triage_prev up[] = {{0.3f, -0.2f}, {0.5f, -0.4f}};
    struct triage_context x = {.prev = up, .n_prev = 2, .now = now};

    /* Anger high and rising. */
    assert_true(triage_escalate(&c, &s, &x, &why));
    assert_non_null(find(&why, "anger_high_rising"));
    triage_reasons_release(&why);
    c.esc_anger_enabled = false;
    assert_false(triage_escalate(&c, &s, &x, &why));
    assert_non_null(find(&why, "no_escalation"));
    triage_reasons_release(&why);
    c.esc_anger_enabled = true;
    /* High but not rising: no. */
    x.n_prev = 0;
    assert_false(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);

    /* SLA breach imminent (20 min left, window 30), far (60 min), past. */
    s = calm();
    x.sla_first_due = now + 20 * MIN;
    assert_true(triage_escalate(&c, &s, &x, &why));
    assert_string_equal(find(&why, "sla_breach_imminent")->en, "First response deadline in 20 min");
    assert_string_equal(find(&why, "sla_breach_imminent")->ru,
                        "Срок «первый ответ» истекает через 20 мин");
    triage_reasons_release(&why);
    x.sla_first_due = now + 60 * MIN;
    assert_false(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);
    x.sla_first_due = 0;
    x.sla_resolve_due = now - 15 * MIN;
    assert_true(triage_escalate(&c, &s, &x, &why));
    assert_string_equal(find(&why, "sla_breached")->en, "Resolution deadline passed 15 min ago");
    triage_reasons_release(&why);
    /* Pending on the customer: the SLA clock is paused. */
    x.existing = true;
    x.status = STATUS_PENDING;
    assert_false(triage_escalate(&c, &s, &x, &why));
    assert_non_null(find(&why, "sla_paused"));
    triage_reasons_release(&why);
    x.status = STATUS_OPEN;
    c.esc_sla_enabled = false;
    assert_false(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);
    x.sla_resolve_due = 0;

    /* Cues: press by default; cancel is not an escalation cue by default. */
    s.cues = TRIAGE_CUE_PRESS;
    assert_true(triage_escalate(&c, &s, &x, &why));
    assert_string_equal(find(&why, "cue_press")->ru, "Сигнал эскалации: СМИ");
    triage_reasons_release(&why);
    s.cues = TRIAGE_CUE_CANCEL;
    assert_false(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);
    c.esc_cue_mask |= TRIAGE_CUE_CANCEL;
    assert_true(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);
    c.esc_cues_enabled = false;
    s.cues = TRIAGE_CUE_LEGAL | TRIAGE_CUE_REGULATOR;
    assert_false(triage_escalate(&c, &s, &x, &why));
    triage_reasons_release(&why);
}

/* The story: an angry Russian court threat becomes urgent,
 * escalated, routed to the Russian-speaking supervisor, with a pause
 * offered; and the JSON explains all of it. */
static void whole_decision_and_json(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_signal s = angry_ru_court();
    const int64_t now = utc(2026, 11, 20, 17, 0);   /* Friday 17:00 */
    struct triage_context x = {.now = now};
    struct triage_agent ag[] = {
        {.id = 1, .languages = "ru", .skills = "billing", .available = true, .role = ROLE_AGENT},
        {.id = 2, .languages = "en", .available = true, .role = ROLE_SUPERVISOR},
        {.id = 3, .languages = "en,ru", .available = true, .role = ROLE_SUPERVISOR, .open_load = 4},
    };
    struct triage_decision d;
    triage_decide(&c, &s, &x, ag, 3, &d);
    assert_int_equal(d.prio.priority, PRIORITY_URGENT);
    assert_string_equal(d.category, "billing");
    assert_true(d.escalate);
    assert_int_equal(d.route.agent_id, 3);
    assert_true(d.route.offer_pause);
    assert_true(triage_reasons_has(&d.reasons, "to_supervisor"));
    /* Urgent: first response 15 business minutes from Friday 17:00. */
    assert_int_equal(d.sla.first_due, utc(2026, 11, 20, 17, 15));
    /* resolution 240 min: 60 on Friday, 180 on Monday → 12:00. */
    assert_int_equal(d.sla.resolve_due, utc(2026, 11, 23, 12, 0));

    char *js = triage_decision_json(&d);
    assert_non_null(js);
    json_error_t je;
    json_t *j = json_loads(js, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "priority")), "urgent");
    assert_string_equal(json_string_value(json_object_get(j, "category")), "billing");
    json_t *sla = json_object_get(j, "sla");
    assert_string_equal(json_string_value(json_object_get(sla, "first_response_due")),
                        "2026-11-20T17:15:00.000Z");
    json_t *route = json_object_get(j, "route");
    assert_int_equal(json_integer_value(json_object_get(route, "agent_id")), 3);
    assert_true(json_is_true(json_object_get(route, "offer_pause")));
    assert_true(json_is_true(json_object_get(json_object_get(j, "escalate"), "escalate")));
    json_t *reasons = json_object_get(j, "reasons");
    bool legal = false;
    size_t i;
    json_t *r;
    json_array_foreach(reasons, i, r) {
        assert_non_null(json_object_get(r, "stage"));
        if (strcmp(json_string_value(json_object_get(r, "code")), "cue_legal") == 0 &&
            strcmp(json_string_value(json_object_get(r, "stage")), "escalate") == 0) {
            legal = true;
            assert_string_equal(json_string_value(json_object_get(r, "ru")),
                                "Сигнал эскалации: суд");
        }
    }
    assert_true(legal);
    json_decref(j);
    free(js);
    triage_decision_release(&d);

    /* No agents given: no route, and the JSON says null. */
    triage_decide(&c, &s, &x, NULL, 0, &d);
    assert_int_equal(d.route.agent_id, 0);
    js = triage_decision_json(&d);
    j = json_loads(js, 0, &je);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(json_object_get(j, "route"), "agent_id")));
    json_decref(j);
    free(js);
    triage_decision_release(&d);

    /* A broken analysis (NaN, out of range) still gives a decision and JSON. */
    struct triage_signal bad = calm();
    bad.emotion[TRIAGE_ANGER] = NAN;
    bad.emotion[TRIAGE_FRUSTRATION] = 7.0f;
    bad.sentiment = NAN;
    triage_decide(&c, &bad, &x, ag, 3, &d);
    assert_true(d.prio.hostility >= 0 && d.prio.hostility <= 1);
    js = triage_decision_json(&d);
    j = json_loads(js, 0, &je);
    assert_non_null(j);
    assert_non_null(json_object_get(j, "hostility"));
    json_decref(j);
    free(js);
    triage_decision_release(&d);

    /* Outside business hours the SLA says so. */
    x.now = utc(2026, 11, 21, 11, 0);   /* Saturday */
    triage_decide(&c, &s, &x, NULL, 0, &d);
    assert_true(triage_reasons_has(&d.reasons, "outside_hours"));
    assert_int_equal(d.sla.first_due, utc(2026, 11, 23, 9, 15));
    triage_decision_release(&d);
    x.now = now;

    /* An existing assignee keeps a calm follow-up. */
    struct triage_signal t = calm();
    x.assignee_id = 1;
    triage_decide(&c, &t, &x, ag, 3, &d);
    assert_int_equal(d.route.agent_id, 1);
    assert_true(triage_reasons_has(&d.reasons, "keep_assignee"));
    assert_false(d.escalate);
    triage_decision_release(&d);
}

int run_priority_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(angry_russian_court_threat),
        cmocka_unit_test(rising_trend),
        cmocka_unit_test(waiting_repeats_tier),
        cmocka_unit_test(never_lowered),
        cmocka_unit_test(categories),
        cmocka_unit_test(escalation_rules),
        cmocka_unit_test(whole_decision_and_json),
    };
    return cmocka_run_group_tests_name("triage_priority", tests, NULL, NULL);
}
