/* test_deviation.c — standard and learned-band alerts with hysteresis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "insight/deviation.h"
#include "insight/stats.h"
#include "test_insight.h"

#define MIN 60000LL

/* "First response time above 1 h for an hour", 15-minute points. */
static void test_standard_for_an_hour(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"metric\":\"frt_p90_ms\",\"standard\":3600000,"
                           "\"raise_minutes\":60,\"clear_points\":2,\"clear_margin\":0.05}",
                           0, NULL);
    struct insight_dev_config c;
    char err[200];
    assert_int_equal(insight_dev_config_parse(j, &c, err, sizeof err), 0);
    json_decref(j);
    struct insight_dev *d = insight_dev_new(&c);
    struct insight_dev_alert a;
    /* minutes of FRT at t = 0, 15, 30, ... */
    const double frt[] = {40, 50, 70, 75, 80, 90, 85, 65, 59, 50, 56, 70};
    const int want[] = {0, 0, 0, 0, 0, 0, INSIGHT_DEV_RAISED, 0, 0, 0, INSIGHT_DEV_CLEARED, 0};
    for (int i = 0; i < 12; i++) {
        int got = insight_dev_observe(d, i * 15 * MIN, frt[i] * MIN, &a);
        if (got != want[i]) {
            print_error("point %d: got %d want %d\n", i, got, want[i]);
            fail();
        }
        if (got == INSIGHT_DEV_RAISED) {
            /* Above since the 70-min point at t = 30 min, for 60 min now. */
            assert_true(a.since == 30 * MIN);
            assert_true(a.at == 90 * MIN);
            assert_true(a.above);
            assert_int_equal(a.points, 5);
            assert_true(a.limit == 3600000.0);
            json_t *o = insight_dev_alert_to_json(&a);
            assert_string_equal(json_string_value(json_object_get(o, "change")), "raised");
            json_decref(o);
        }
    }
    /* 59 min did not count as back (needs ≤ 57 min with a 5% margin);
     * 50 and 56 did → cleared at t = 150 min. The 70 after starts over. */
    assert_false(insight_dev_active(d));
    assert_int_equal(insight_dev_observe(d, 0, 1.0, NULL), PL_EINVAL); /* time went back */
    assert_int_equal(insight_dev_observe(d, 12 * 15 * MIN, NAN, NULL), PL_EINVAL);
    insight_dev_free(d);
}

static void test_learned_band(void **state)
{
    (void)state;
    struct insight_dev_config c;
    insight_dev_config_default(&c);
    snprintf(c.metric, sizeof c.metric, "%s", "csat_mean");
    c.mode = INSIGHT_DEV_BAND;
    c.bad = INSIGHT_DEV_BELOW;
    c.window = 48;
    c.min_points = 12;
    c.raise_points = 2;
    struct insight_dev *d = insight_dev_new(&c);
    struct insight_rng r = {3};
    int raised = 0, cleared = 0, raised_at = -1;
    for (int i = 0; i < 100; i++) {
        double v = 4.3 + 0.05 * insight_rng_normal(&r);
        if (i >= 60 && i < 66)
            v = 3.6; /* an incident */
        struct insight_dev_alert a;
        int ch = insight_dev_observe(d, i * 60 * MIN, v, &a);
        assert_true(ch >= 0);
        if (ch == INSIGHT_DEV_RAISED) {
            raised++;
            raised_at = i;
            assert_false(a.above);
            assert_true(a.limit < 4.3 && a.limit > 3.9);
            assert_true(fabs(a.center - 4.3) < 0.05);
        }
        if (ch == INSIGHT_DEV_CLEARED)
            cleared++;
    }
    assert_int_equal(raised, 1);
    assert_int_equal(raised_at, 61); /* two points below */
    assert_int_equal(cleared, 1);
    /* The incident did not widen the band. */
    double lo, hi, center;
    insight_dev_limits(d, &lo, &hi, &center);
    assert_true(isnan(hi));
    assert_true(lo > 4.0);
    insight_dev_free(d);
}

static void test_dev_config_errors(void **state)
{
    (void)state;
    const char *bad[] = {
        "{}",
        "{\"metric\":\"x\"}",                                     /* standard missing */
        "{\"metric\":\"x\",\"mode\":\"magic\"}",
        "{\"metric\":\"x\",\"standard\":1,\"bad\":\"both\"}",     /* both: band only */
        "{\"metric\":\"x\",\"mode\":\"band\",\"window\":1}",
        "{\"metric\":\"x\",\"standard\":1,\"clear_margin\":\"a\"}",
        "[1,2]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        struct insight_dev_config c;
        char err[200];
        assert_int_equal(insight_dev_config_parse(j, &c, err, sizeof err), PL_EINVAL);
        assert_true(err[0] != 0);
        json_decref(j);
    }
}

int run_deviation_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_for_an_hour),
        cmocka_unit_test(test_learned_band),
        cmocka_unit_test(test_dev_config_errors),
    };
    return cmocka_run_group_tests_name("insight_deviation", tests, NULL, NULL);
}
