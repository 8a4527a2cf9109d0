/* test_route.c — routing by availability, language, skill and load,
 * round robin among equals, the wellbeing limit on a stream of tickets,
 * pauses after intense conversations, escalation to supervisors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "triage/triage.h"
#include "test_triage.h"

#define T0 utc(2026, 11, 23, 10, 0)

static int64_t route(const struct triage_config *c, const struct triage_agent *ag, size_t n,
                     const struct triage_route_request *rq, struct triage_route *out,
                     struct triage_reasons *why)
{
    triage_route(c, ag, n, rq, out, why);
    return out->agent_id;
}

static void language_skill_load(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_reasons why = {0};
    struct triage_route r;
    struct triage_agent ag[] = {
        {.id = 1, .languages = "en", .skills = "billing", .available = true, .role = ROLE_AGENT},
        {.id = 2, .languages = "ru, en", .skills = "delivery", .available = true,
         .role = ROLE_AGENT, .open_load = 1},
        {.id = 3, .languages = "RU", .skills = "billing,delivery", .available = true,
         .role = ROLE_AGENT, .open_load = 3},
        {.id = 4, .languages = "ru", .skills = "billing", .available = false, .role = ROLE_AGENT},
        {.id = 5, .languages = "ru", .skills = "billing", .available = true, .role = ROLE_AGENT,
         .open_load = 5, .capacity = 5},
        {.id = 6, .languages = "ru", .skills = "billing", .available = true,
         .role = ROLE_INTEGRATION},
    };
    struct triage_route_request rq = {.language = "ru", .now = T0};
    /* Russian, any skill: lowest load among Russian speakers. */
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 2);
    /* Russian billing: only 3 (4 offline, 5 full, 6 not a person). */
    rq.category = "billing";
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 3);
    /* English billing: 1. */
    rq.language = "en";
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 1);
    assert_false(triage_reasons_has(&why, "no_skill_match"));
    triage_reasons_release(&why);
    /* Nobody has the skill: fall back to load, with a reason. */
    rq.language = "ru";
    rq.category = "legal";
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 2);
    assert_true(triage_reasons_has(&why, "no_skill_match"));
    triage_reasons_release(&why);
    /* Nobody speaks it: fall back, with a reason. */
    rq.language = "de";
    rq.category = NULL;
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 1);
    assert_true(triage_reasons_has(&why, "no_language_match"));
    triage_reasons_release(&why);
    /* Nobody available at all. */
    ag[0].available = ag[1].available = ag[2].available = false;
    ag[4].open_load = 5;
    assert_int_equal(route(&c, ag, 6, &rq, &r, &why), 0);
    assert_true(triage_reasons_has(&why, "no_agent_available"));
    assert_int_equal(route(&c, NULL, 0, &rq, &r, &why), 0);
    triage_reasons_release(&why);
}

static void round_robin(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_agent ag[] = {
        {.id = 10, .languages = "en", .available = true, .role = ROLE_AGENT},
        {.id = 11, .languages = "en", .available = true, .role = ROLE_AGENT},
        {.id = 12, .languages = "en", .available = true, .role = ROLE_AGENT},
    };
    int count[3] = {0};
    int64_t order[6];
    for (int t = 0; t < 6; t++) {
        struct triage_route_request rq = {.language = "en", .now = T0 + t * MIN};
        struct triage_route r;
        struct triage_reasons why = {0};
        triage_route(&c, ag, 3, &rq, &r, &why);
        triage_reasons_release(&why);
        order[t] = r.agent_id;
        for (int i = 0; i < 3; i++)
            if (ag[i].id == r.agent_id) {
                count[i]++;
                triage_agent_record(&ag[i], false, false, rq.now);
            }
    }
    assert_int_equal(count[0], 2);
    assert_int_equal(count[1], 2);
    assert_int_equal(count[2], 2);
    const int64_t want[6] = {10, 11, 12, 10, 11, 12};
    for (int t = 0; t < 6; t++)
        assert_int_equal(order[t], want[t]);
}

/* 50 tickets, 25 hostile in a fixed shuffled order, 4 agents with uneven
 * loads (each conversation stays open for 5 tickets, so load keeps pulling
 * work to the least busy agent); the configured limit must hold for every
 * agent at every step. */
static void wellbeing_stream(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    assert_int_equal(c.max_hostile_in_a_row, 2);
    struct triage_agent ag[4];
    memset(ag, 0, sizeof ag);
    for (int i = 0; i < 4; i++) {
        ag[i].id = 20 + i;
        ag[i].languages = "ru,en";
        ag[i].available = true;
        ag[i].role = ROLE_AGENT;
        ag[i].open_load = i == 0 ? 0 : 3;   /* agent 20 is the obvious pick */
    }
    size_t owner[50];
    bool hostile[50];
    for (int i = 0; i < 50; i++)
        hostile[i] = i % 2 == 0;
    /* Fisher–Yates with a fixed LCG: the same stream every run. */
    uint32_t seed = 12345;
    for (int i = 49; i > 0; i--) {
        seed = seed * 1103515245u + 12345u;
        int j = (int)((seed >> 16) % (uint32_t)(i + 1));
        bool tmp = hostile[i];
        hostile[i] = hostile[j];
        hostile[j] = tmp;
    }
    int nh = 0, longest = 0, run = 0, skips = 0;
    for (int t = 0; t < 50; t++) {
        nh += hostile[t];
        run = hostile[t] ? run + 1 : 0;
        longest = run > longest ? run : longest;
        struct triage_route_request rq = {.language = "ru", .hostile = hostile[t],
                                          .intense = hostile[t] && t % 4 == 0,
                                          .now = T0 + t * MIN};
        struct triage_route r;
        struct triage_reasons why = {0};
        triage_route(&c, ag, 4, &rq, &r, &why);
        assert_int_not_equal(r.agent_id, 0);
        assert_false(r.limit_exceeded);
        skips += triage_reasons_has(&why, "wellbeing_skip");
        triage_reasons_release(&why);
        for (size_t i = 0; i < 4; i++)
            if (ag[i].id == r.agent_id) {
                triage_agent_record(&ag[i], rq.hostile, rq.intense, rq.now);
                ag[i].open_load++;
                owner[t] = i;
            }
        if (t >= 5)
            ag[owner[t - 5]].open_load--;
        for (int i = 0; i < 4; i++)
            assert_true(ag[i].consecutive_hostile <= c.max_hostile_in_a_row);
    }
    assert_int_equal(nh, 25);
    assert_true(longest >= 3);   /* the stream really tests the limit */
    (void)skips;
}

static void wellbeing_unavoidable(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_agent ag[] = {
        {.id = 1, .languages = "ru", .available = true, .role = ROLE_AGENT, .consecutive_hostile = 2},
        {.id = 2, .languages = "ru", .available = true, .role = ROLE_AGENT, .consecutive_hostile = 3,
         .open_load = 0},
        {.id = 3, .languages = "en", .available = true, .role = ROLE_AGENT},
    };
    struct triage_route_request rq = {.language = "ru", .hostile = true, .now = T0};
    struct triage_route r;
    struct triage_reasons why = {0};
    /* Only Russian speakers are at the limit: the least exposed (1) takes it, and it is said. */
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 1);
    assert_true(r.limit_exceeded);
    assert_true(triage_reasons_has(&why, "wellbeing_limit_unavoidable"));
    triage_reasons_release(&why);
    /* With a fresh Russian speaker, that one takes it even at higher load. */
    ag[2].languages = "en,ru";
    ag[2].open_load = 3;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 3);
    assert_false(r.limit_exceeded);
    assert_true(triage_reasons_has(&why, "wellbeing_skip"));
    triage_reasons_release(&why);
    /* A calm conversation goes to the one with the hostile run (equal load). */
    ag[2].open_load = 0;
    rq.hostile = false;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 2);
    triage_reasons_release(&why);
    /* The limit is configurable. */
    c.max_hostile_in_a_row = 5;
    rq.hostile = true;
    ag[2].open_load = 3;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 1);
    triage_reasons_release(&why);
}

static void pause_after_intense(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_agent ag[] = {
        {.id = 1, .languages = "en", .available = true, .role = ROLE_AGENT},
        {.id = 2, .languages = "en", .available = true, .role = ROLE_AGENT, .open_load = 2},
    };
    struct triage_route_request rq = {.language = "en", .intense = true, .hostile = true, .now = T0};
    struct triage_route r;
    struct triage_reasons why = {0};
    assert_int_equal(route(&c, ag, 2, &rq, &r, &why), 1);
    assert_true(r.offer_pause);
    assert_int_equal(r.pause_min, 5);
    assert_true(triage_reasons_has(&why, "offer_pause"));
    triage_reasons_release(&why);
    triage_agent_record(&ag[0], true, true, T0);
    assert_int_equal(ag[0].last_intense_at, T0);

    /* Two minutes later agent 1 is on its pause: 2 takes the next one. */
    rq.intense = rq.hostile = false;
    rq.now = T0 + 2 * MIN;
    assert_int_equal(route(&c, ag, 2, &rq, &r, &why), 2);
    assert_false(r.offer_pause);
    assert_true(triage_reasons_has(&why, "pause_respected"));
    triage_reasons_release(&why);
    /* After the pause, load decides again. */
    rq.now = T0 + 6 * MIN;
    assert_int_equal(route(&c, ag, 2, &rq, &r, &why), 1);
    triage_reasons_release(&why);
    /* If the pausing agent is the only one, it still gets the work. */
    rq.now = T0 + 2 * MIN;
    assert_int_equal(route(&c, ag, 1, &rq, &r, &why), 1);
    triage_reasons_release(&why);
    /* Pauses off. */
    c.pause_after_intense_min = 0;
    rq.intense = true;
    assert_int_equal(route(&c, ag, 2, &rq, &r, &why), 1);
    assert_false(r.offer_pause);
    triage_reasons_release(&why);
}

static void escalated_to_supervisor(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_agent ag[] = {
        {.id = 1, .languages = "ru", .available = true, .role = ROLE_AGENT},
        {.id = 2, .languages = "en", .available = true, .role = ROLE_SUPERVISOR},
        {.id = 3, .languages = "ru", .available = true, .role = ROLE_SUPERVISOR, .open_load = 6},
    };
    struct triage_route_request rq = {.language = "ru", .escalated = true, .now = T0};
    struct triage_route r;
    struct triage_reasons why = {0};
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 3);
    assert_true(triage_reasons_has(&why, "to_supervisor"));
    triage_reasons_release(&why);
    /* Not escalated: agents first, even with supervisors free. */
    rq.escalated = false;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 1);
    triage_reasons_release(&why);
    /* The only supervisor free speaks English: the Russian-speaking agent
     * takes it rather than a supervisor who cannot read the message. */
    ag[2].available = false;
    rq.escalated = true;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 1);
    assert_true(triage_reasons_has(&why, "no_supervisor_speaks"));
    triage_reasons_release(&why);
    rq.language = "en";
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 2);
    triage_reasons_release(&why);
    rq.language = "ru";
    /* No supervisor available: an agent, with the reason. */
    ag[1].available = ag[2].available = false;
    rq.escalated = true;
    assert_int_equal(route(&c, ag, 3, &rq, &r, &why), 1);
    assert_true(triage_reasons_has(&why, "no_supervisor_available"));
    triage_reasons_release(&why);
}

int run_route_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(language_skill_load),
        cmocka_unit_test(round_robin),
        cmocka_unit_test(wellbeing_stream),
        cmocka_unit_test(wellbeing_unavoidable),
        cmocka_unit_test(pause_after_intense),
        cmocka_unit_test(escalated_to_supervisor),
    };
    return cmocka_run_group_tests_name("triage_route", tests, NULL, NULL);
}
