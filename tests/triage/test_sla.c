/* test_sla.c — business-time arithmetic, hand-checked on a calendar:
 * 2026-11-20 is a Friday, 2026-11-23 the Monday after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "triage/triage.h"
#include "test_triage.h"

static void assert_time(int64_t got, int64_t want)
{
    char g[CLOCK_ISO_LEN], w[CLOCK_ISO_LEN];
    clock_format(got, g);
    clock_format(want, w);
    assert_string_equal(g, w);
}

static void friday_evening_to_monday(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);      /* Mon–Fri 09:00–18:00, UTC */
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 17, 0), 2 * HOUR),
                utc(2026, 11, 23, 10, 0));
    /* Exactly the rest of the day lands at closing, not the next opening. */
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 17, 0), HOUR), utc(2026, 11, 20, 18, 0));
    /* A full business day (9 h) from Friday 09:00 is Friday 18:00; 10 h is Monday 10:00. */
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 9, 0), 10 * HOUR),
                utc(2026, 11, 23, 10, 0));
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 17, 0), 0), utc(2026, 11, 20, 17, 0));
}

static void nights_and_weekends(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    /* Tuesday 17:30 + 1 h → Wednesday 09:30 (overnight). */
    assert_time(triage_business_add(&c, utc(2026, 11, 17, 17, 30), HOUR), utc(2026, 11, 18, 9, 30));
    /* Before opening: Wednesday 07:00 + 30 min → 09:30. */
    assert_time(triage_business_add(&c, utc(2026, 11, 18, 7, 0), 30 * MIN), utc(2026, 11, 18, 9, 30));
    /* Saturday noon + 1 h → Monday 10:00. */
    assert_time(triage_business_add(&c, utc(2026, 11, 21, 12, 0), HOUR), utc(2026, 11, 23, 10, 0));
    /* 3 business days (27 h) from Thursday 12:00 → Tuesday 12:00. */
    assert_time(triage_business_add(&c, utc(2026, 11, 19, 12, 0), 27 * HOUR),
                utc(2026, 11, 24, 12, 0));
    /* Business time between. */
    assert_int_equal(triage_business_between(&c, utc(2026, 11, 20, 17, 0), utc(2026, 11, 23, 10, 0)),
                     2 * HOUR);
    assert_int_equal(triage_business_between(&c, utc(2026, 11, 21, 0, 0), utc(2026, 11, 22, 23, 0)), 0);
    assert_int_equal(triage_business_between(&c, utc(2026, 11, 23, 10, 0), utc(2026, 11, 20, 17, 0)), 0);
    assert_true(triage_business_open(&c, utc(2026, 11, 20, 9, 0)));
    assert_false(triage_business_open(&c, utc(2026, 11, 20, 18, 0)));
    assert_false(triage_business_open(&c, utc(2026, 11, 21, 12, 0)));
}

static void utc_offsets(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    c.utc_offset_min = 180;   /* Moscow: 09–18 local = 06–15 UTC */
    /* Friday 13:00 UTC (16:00 local) + 4 h: 2 h on Friday, 2 h from Monday
     * 09:00 local → Monday 11:00 local = 08:00 UTC. */
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 13, 0), 4 * HOUR), utc(2026, 11, 23, 8, 0));
    /* Monday 23:30 UTC is already Tuesday 02:30 local → opens 09:00 local = 06:00 UTC. */
    assert_time(triage_business_add(&c, utc(2026, 11, 23, 23, 30), 30 * MIN), utc(2026, 11, 24, 6, 30));

    c.utc_offset_min = -300;  /* New York winter: 09–18 local = 14–23 UTC */
    /* Saturday 02:00 UTC is Friday 21:00 local (closed) → Monday 09:00 local + 1 h. */
    assert_time(triage_business_add(&c, utc(2026, 11, 21, 2, 0), HOUR), utc(2026, 11, 23, 15, 0));
    /* Friday 22:00 UTC = 17:00 local + 2 h → Monday 10:00 local = 15:00 UTC. */
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 22, 0), 2 * HOUR), utc(2026, 11, 23, 15, 0));
    assert_true(triage_business_open(&c, utc(2026, 11, 20, 22, 0)));
    assert_false(triage_business_open(&c, utc(2026, 11, 20, 13, 0)));
}

static void holidays_and_disabled(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    c.holidays[0] = (int32_t)clock_days_from_civil(2026, 11, 23);
    c.n_holidays = 1;
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 17, 0), 2 * HOUR), utc(2026, 11, 24, 10, 0));
    c.n_holidays = 0;
    c.hours_enabled = false;
    assert_time(triage_business_add(&c, utc(2026, 11, 20, 17, 0), 2 * HOUR), utc(2026, 11, 20, 19, 0));
    assert_int_equal(triage_business_between(&c, utc(2026, 11, 20, 17, 0), utc(2026, 11, 20, 19, 0)),
                     2 * HOUR);
}

static void dues_per_priority(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_sla s;
    /* High: first 60, next 120, resolve 540 business minutes. Created
     * Friday 16:00, last inbound Friday 17:30. */
    triage_sla(&c, PRIORITY_HIGH, utc(2026, 11, 20, 16, 0), utc(2026, 11, 20, 17, 30), &s);
    assert_time(s.first_due, utc(2026, 11, 20, 17, 0));
    assert_time(s.next_due, utc(2026, 11, 23, 10, 30));
    assert_time(s.resolve_due, utc(2026, 11, 23, 16, 0));
    /* Urgent resolution: 240 min from Friday 16:00 → Monday 11:00. */
    triage_sla(&c, PRIORITY_URGENT, utc(2026, 11, 20, 16, 0), 0, &s);
    assert_time(s.first_due, utc(2026, 11, 20, 16, 15));
    assert_time(s.next_due, utc(2026, 11, 20, 16, 30));
    assert_time(s.resolve_due, utc(2026, 11, 23, 11, 0));
    /* A zero target means no due time. */
    c.target[PRIORITY_LOW].next_min = 0;
    triage_sla(&c, PRIORITY_LOW, utc(2026, 11, 20, 16, 0), 0, &s);
    assert_int_equal(s.next_due, 0);
}

static void pause_while_pending(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    struct triage_sla s = {
        .first_due = utc(2026, 11, 23, 10, 0),
        .next_due = utc(2026, 11, 20, 12, 0),    /* already past when pending began */
        .resolve_due = utc(2026, 11, 23, 17, 30),
    };
    /* Pending Friday 17:30 → Monday 09:30: 30 min + 30 min of business time. */
    int64_t paused = triage_sla_pause(&c, &s, utc(2026, 11, 20, 17, 30), utc(2026, 11, 23, 9, 30));
    assert_int_equal(paused, HOUR);
    assert_time(s.first_due, utc(2026, 11, 23, 11, 0));
    assert_time(s.next_due, utc(2026, 11, 20, 12, 0));
    /* Monday 17:30 + 1 h crosses the night → Tuesday 09:30. */
    assert_time(s.resolve_due, utc(2026, 11, 24, 9, 30));

    c.pause_when_pending = false;
    struct triage_sla t = {.first_due = utc(2026, 11, 23, 10, 0)};
    assert_int_equal(triage_sla_pause(&c, &t, utc(2026, 11, 20, 17, 30), utc(2026, 11, 23, 9, 30)), 0);
    assert_time(t.first_due, utc(2026, 11, 23, 10, 0));
}

int run_sla_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(friday_evening_to_monday),
        cmocka_unit_test(nights_and_weekends),
        cmocka_unit_test(utc_offsets),
        cmocka_unit_test(holidays_and_disabled),
        cmocka_unit_test(dues_per_priority),
        cmocka_unit_test(pause_while_pending),
    };
    return cmocka_run_group_tests_name("triage_sla", tests, NULL, NULL);
}
