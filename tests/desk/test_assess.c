/* test_assess.c — triage inside ingest, over a real store: an angry
 * Russian message with a threat to sue becomes an urgent, escalated ticket
 * routed to a Russian-speaking supervisor, with its reasons recorded; a
 * stream of hostile conversations never gives one agent more in a row
 * than the configured limit. The analysis is given (the text engine has
 * its own tests), so these check the desk's use of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "text/text.h"
#include "triage/triage.h"
#include "tmpdb.h"

static char dbpath[256];
static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static int64_t add_user(struct desk *d, const char *email, enum role role, const char *langs,
                        const char *skills)
{
    struct user u = {.email = xstrdup(email), .role = role, .languages = xstrdup(langs),
                     .skills = skills ? xstrdup(skills) : NULL};
    assert_int_equal(desk_user_add(d, &sys, &u, "password1"), 0);
    int64_t id = u.id;
    user_clear(&u);
    return id;
}

static int setup(void **state)
{
    struct desk *d;
    if (tmpdb_open("assess-test", dbpath, sizeof dbpath, &d))
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

static struct text_analysis angry_ru(void)
{
    struct text_analysis a = {0};
    memcpy(a.language, "ru", 3);
    a.emotions[TEXT_EMOTION_ANGER] = 0.9f;
    a.emotions[TEXT_EMOTION_FRUSTRATION] = 0.4f;
    a.emotions[TEXT_EMOTION_NEUTRAL] = 0.02f;
    a.sentiment = -0.8f;
    a.intensity = 0.8f;
    memcpy(a.intent, "billing", 8);
    a.intent_confidence = 0.9f;
    a.cues[0].kind = TEXT_CUE_LEGAL;
    memcpy(a.cues[0].evidence, "подаю в суд", sizeof "подаю в суд");
    a.ncues = 1;
    return a;
}

static struct desk_ingest_result ingest_with(struct desk *d, const char *who,
                                             const struct text_analysis *a, const char *body)
{
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = who, .body = body, .analysis = a,
                              .analysis_json = "{\"emotions\":{\"anger\":0.9},\"sentiment\":-0.8}"};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
    assert_true(r.triaged);
    return r;
}

static void test_angry_court_threat(void **state)
{
    struct desk *d = *state;
    add_user(d, "john@example.com", ROLE_AGENT, "en", "billing");
    int64_t anna = add_user(d, "anna@example.com", ROLE_AGENT, "ru", "billing");
    add_user(d, "sam@example.com", ROLE_SUPERVISOR, "en", NULL);
    int64_t olga = add_user(d, "olga@example.com", ROLE_SUPERVISOR, "ru,en", NULL);
    (void)anna;
    struct text_analysis a = angry_ru();
    struct desk_ingest_result r =
        ingest_with(d, "dmitry@example.ru", &a, "Вы списали деньги дважды! Я подаю в суд!");
    assert_true(r.escalated);
    assert_true(r.priority >= PRIORITY_HIGH);
    assert_int_equal(r.assignee_id, olga);

    struct store *st = desk_reader(d);
    struct ticket t;
    assert_int_equal(st->ops->ticket_get(st, r.ticket_id, &t), 0);
    assert_true(t.escalated);
    assert_string_equal(t.emotion, "anger");
    assert_true(t.hostility > 500);
    assert_string_equal(t.category, "billing");
    assert_true(t.sla_first_due > t.created_at);
    assert_non_null(t.triage);
    assert_non_null(strstr(t.triage, "cue_legal"));
    ticket_clear(&t);

    struct event_filter f = {.ticket_id = r.ticket_id};
    struct event *ev;
    size_t n;
    int triaged = 0, escalated = 0;
    assert_int_equal(st->ops->event_list(st, &f, &ev, &n), 0);
    for (size_t i = 0; i < n; i++) {
        triaged += strcmp(ev[i].type, "ticket.triaged") == 0;
        escalated += strcmp(ev[i].type, "ticket.escalated") == 0;
    }
    store_free_events(ev, n);
    assert_int_equal(triaged, 1);
    assert_int_equal(escalated, 1);

    struct message *m;
    assert_int_equal(st->ops->message_list(st, r.ticket_id, &m, &n), 0);
    assert_non_null(m[0].analysis);
    store_free_messages(m, n);
}

/* Reads the stored triage decision of a ticket. */
static char *decision_of(struct desk *d, int64_t ticket_id)
{
    struct store *st = desk_reader(d);
    struct ticket t;
    assert_int_equal(st->ops->ticket_get(st, ticket_id, &t), 0);
    char *j = xstrdup(t.triage);
    ticket_clear(&t);
    return j;
}

/* Two agents, limit two, and three hostile conversations for every calm
 * one: routing must skip an agent at the limit whenever another can take
 * the conversation, and may exceed the limit only when nobody can — and
 * then it must say so. */
static void test_hostile_streak_limit(void **state)
{
    struct desk *d = *state;
    struct triage_config cfg;
    assert_int_equal(desk_triage_config(d, &cfg), 0);
    cfg.max_hostile_in_a_row = 2;
    cfg.esc_cues_enabled = false;
    cfg.esc_anger_enabled = false;
    assert_int_equal(desk_set_triage_config(d, &sys, &cfg), 0);
    int64_t ids[2] = {add_user(d, "a1@example.com", ROLE_AGENT, "en", NULL),
                      add_user(d, "a2@example.com", ROLE_AGENT, "en", NULL)};
    struct text_analysis hostile = {0}, calm = {0};
    memcpy(hostile.language, "en", 3);
    hostile.emotions[TEXT_EMOTION_ANGER] = 0.95f;
    hostile.sentiment = -0.9f;
    memcpy(calm.language, "en", 3);
    calm.emotions[TEXT_EMOTION_NEUTRAL] = 0.9f;
    int streak[2] = {0}, skips = 0, over = 0;
    for (int i = 0; i < 40; i++) {
        char who[64];
        snprintf(who, sizeof who, "h%d@example.com", i);
        int is_hostile = i % 4 != 3;
        struct desk_ingest_result r =
            ingest_with(d, who, is_hostile ? &hostile : &calm, is_hostile ? "furious" : "hi");
        int k = r.assignee_id == ids[0] ? 0 : r.assignee_id == ids[1] ? 1 : -1;
        assert_true(k >= 0);
        streak[k] = is_hostile ? streak[k] + 1 : 0;
        char *why = decision_of(d, r.ticket_id);
        if (strstr(why, "wellbeing_skip"))
            skips++;
        if (streak[k] > 2) {
            over++;
            /* only when the other agent was at the limit too, and said */
            assert_true(streak[1 - k] >= 2);
            assert_non_null(strstr(why, "wellbeing_limit_unavoidable"));
        }
        free(why);
    }
    assert_true(skips > 0);
    assert_true(over < 40 / 4);
}

/* An agent who takes a pause gets no new conversation until it ends. */
static void test_pause_keeps_new_work_away(void **state)
{
    struct desk *d = *state;
    int64_t a1 = add_user(d, "p1@example.com", ROLE_AGENT, "en", NULL);
    int64_t a2 = add_user(d, "p2@example.com", ROLE_AGENT, "en", NULL);
    struct desk_actor who = {ACTOR_USER, a1, ROLE_AGENT};
    assert_int_equal(desk_agent_pause(d, &who, 10), 0);
    assert_int_equal(desk_agent_pause(d, &who, 1000), PL_EINVAL);
    struct text_analysis calm = {0};
    memcpy(calm.language, "en", 3);
    calm.emotions[TEXT_EMOTION_NEUTRAL] = 0.9f;
    for (int i = 0; i < 4; i++) {
        char email[64];
        snprintf(email, sizeof email, "q%d@example.com", i);
        struct desk_ingest_result r = ingest_with(d, email, &calm, "a question");
        assert_int_equal(r.assignee_id, a2);
    }
    assert_int_equal(desk_agent_pause(d, &who, 0), 0);   /* back */
    int got_a1 = 0;
    for (int i = 4; i < 8; i++) {
        char email[64];
        snprintf(email, sizeof email, "q%d@example.com", i);
        got_a1 += ingest_with(d, email, &calm, "a question").assignee_id == a1;
    }
    assert_true(got_a1 > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_angry_court_threat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_streak_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_keeps_new_work_away, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
