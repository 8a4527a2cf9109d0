/* test_goals.c — SMART goals: baseline, target, progress, projection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "insight/catalog.h"
#include "insight/goals.h"
#include "test_insight.h"

#define DAY 86400000LL

static int64_t d(int y, unsigned m, unsigned dd)
{
    return clock_days_from_civil(y, m, dd) * DAY;
}

static const char *goal_json =
    "{\"metric\":\"ttr_mean_h\",\"title\":\"Сократить время решения жалоб на 20%\","
    " \"baseline\":{\"from\":\"2026-07-01\",\"to\":\"2026-10-01\"},"
    " \"target\":{\"relative\":-0.2},\"start\":\"2026-10-01\",\"deadline\":\"2026-12-30\"}";

/* Baseline quarter flat at 10 h; from 1 Oct the metric falls by `per_day`. */
static size_t series(struct insight_point *p, double per_day, int days_after)
{
    size_t n = 0;
    for (int64_t t = d(2026, 7, 1); t < d(2026, 10, 1); t += DAY)
        p[n++] = (struct insight_point){t, 10.0};
    for (int i = 0; i <= days_after; i++)
        p[n++] = (struct insight_point){d(2026, 10, 1) + i * DAY, 10.0 - per_day * i};
    return n;
}

static void test_on_track(void **state)
{
    (void)state;
    json_t *j = json_loads(goal_json, 0, NULL);
    struct insight_goal g;
    char err[200];
    assert_int_equal(insight_goal_parse(j, &g, err, sizeof err), 0);
    json_decref(j);
    struct insight_point p[400];
    size_t n = series(p, 0.05, 30);
    assert_int_equal(insight_goal_resolve(&g, p, n), 0);
    assert_true(fabs(g.baseline - 10.0) < 1e-12);
    assert_true(fabs(g.target - 8.0) < 1e-12); /* 10 × (1 − 0.2) */
    struct insight_goal_status st;
    assert_int_equal(insight_goal_evaluate(&g, p, n, d(2026, 10, 31), &st), 0);
    assert_int_equal(st.n, 31);
    assert_true(st.lower_is_better);
    /* Fit is exact: 10 − 0.05·30 = 8.5 now; 10 − 0.05·90 = 5.5 at the deadline. */
    assert_true(fabs(st.current - 8.5) < 1e-9);
    assert_true(fabs(st.slope_per_day + 0.05) < 1e-12);
    assert_true(fabs(st.projected - 5.5) < 1e-9);
    assert_true(fabs(st.progress - 0.75) < 1e-9); /* (10 − 8.5) / (10 − 8) */
    assert_true(fabs(st.time_elapsed - 30.0 / 90.0) < 1e-9);
    assert_true(st.judged && st.on_track && !st.alert && !st.achieved);
    json_t *o = insight_goal_status_to_json(&g, &st, "ru");
    assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "По плану"));
    json_decref(o);
    o = insight_goal_to_json(&g);
    assert_true(fabs(json_real_value(json_object_get(json_object_get(o, "target"), "resolved")) -
                     8.0) < 1e-12);
    json_decref(o);
}

static void test_off_track_alert(void **state)
{
    (void)state;
    json_t *j = json_loads(goal_json, 0, NULL);
    struct insight_goal g;
    assert_int_equal(insight_goal_parse(j, &g, NULL, 0), 0);
    json_decref(j);
    struct insight_point p[400];
    size_t n = series(p, 0.01, 30);
    assert_int_equal(insight_goal_resolve(&g, p, n), 0);
    struct insight_goal_status st;
    assert_int_equal(insight_goal_evaluate(&g, p, n, d(2026, 10, 31), &st), 0);
    assert_true(fabs(st.projected - 9.1) < 1e-9); /* 10 − 0.01·90 */
    assert_true(st.judged && !st.on_track && st.alert);
    assert_true(fabs(st.progress - 0.15) < 1e-9); /* (10 − 9.7) / 2 */
    /* Too early to judge: two points. */
    assert_int_equal(insight_goal_evaluate(&g, p, n, d(2026, 10, 2), &st), 0);
    assert_int_equal(st.n, 2);
    assert_false(st.judged);
    assert_false(st.alert);
}

static void test_increase_absolute(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:s,s:{s:f},s:{s:f},s:s,s:s}", "metric", "csat_mean", "baseline",
                          "value", 3.8, "target", "absolute", 4.2, "start", "2026-10-01",
                          "deadline", "2026-10-11");
    struct insight_goal g;
    assert_int_equal(insight_goal_parse(j, &g, NULL, 0), 0);
    json_decref(j);
    struct insight_point p[11];
    for (int i = 0; i < 11; i++)
        p[i] = (struct insight_point){d(2026, 10, 1) + i * DAY, 3.8 + 0.05 * i};
    struct insight_goal_status st;
    assert_int_equal(insight_goal_evaluate(&g, p, 5, d(2026, 10, 5), &st), 0);
    assert_false(st.lower_is_better);
    assert_true(fabs(st.projected - 4.3) < 1e-9); /* 3.8 + 0.05·10 */
    assert_true(st.on_track);
    assert_int_equal(insight_goal_evaluate(&g, p, 11, d(2026, 10, 20), &st), 0);
    assert_true(st.achieved);
    assert_true(st.progress == 1.0);
    assert_true(st.time_elapsed == 1.0);
}

static void test_goal_bad_input(void **state)
{
    (void)state;
    const char *bad[] = {
        "{}",
        "{\"metric\":\"x\"}",
        "{\"metric\":\"x\",\"baseline\":{\"value\":1},\"target\":{\"relative\":-1},"
        "\"start\":\"2026-01-01\",\"deadline\":\"2026-02-01\"}",
        "{\"metric\":\"x\",\"baseline\":{\"value\":1},\"target\":{\"relative\":-0.1,"
        "\"absolute\":3},\"start\":\"2026-01-01\",\"deadline\":\"2026-02-01\"}",
        "{\"metric\":\"x\",\"baseline\":{\"value\":1},\"target\":{\"absolute\":3},"
        "\"start\":\"2026-03-01\",\"deadline\":\"2026-02-01\"}",
        "{\"metric\":\"x\",\"baseline\":{\"from\":\"2026-03-01\",\"to\":\"2026-02-01\"},"
        "\"target\":{\"absolute\":3},\"start\":\"2026-03-01\",\"deadline\":\"2026-04-01\"}",
        "{\"metric\":\"x\",\"baseline\":{\"value\":\"1\"},\"target\":{\"absolute\":3},"
        "\"start\":\"2026-03-01\",\"deadline\":\"2026-04-01\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        struct insight_goal g;
        char err[200];
        assert_int_equal(insight_goal_parse(j, &g, err, sizeof err), PL_EINVAL);
        assert_true(err[0] != 0);
        json_decref(j);
    }
    /* No point in the baseline window. */
    json_t *j = json_loads(goal_json, 0, NULL);
    struct insight_goal g;
    assert_int_equal(insight_goal_parse(j, &g, NULL, 0), 0);
    json_decref(j);
    assert_int_equal(insight_goal_resolve(&g, NULL, 0), PL_ENOTFOUND);
    struct insight_goal_status st;
    assert_int_equal(insight_goal_evaluate(&g, NULL, 0, d(2026, 10, 5), &st), PL_EINVAL);
}

/* Messages speak in the metric's unit: durations in h and min, not ms. */
static void test_message_units(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"metric\":\"ttr_p90_ms\",\"title\":\"TTR\","
                           "\"baseline\":{\"value\":108000000},"
                           "\"target\":{\"absolute\":86400000},"
                           "\"start\":\"2026-10-01\",\"deadline\":\"2026-10-31\"}",
                           0, NULL);
    struct insight_goal g;
    assert_int_equal(insight_goal_parse(j, &g, NULL, 0), 0);
    json_decref(j);
    struct insight_point p[11];
    for (int i = 0; i < 11; i++)
        p[i] = (struct insight_point){d(2026, 10, 1) + i * DAY, 9e7}; /* 25 h, flat */
    assert_int_equal(insight_goal_resolve(&g, p, 11), 0);
    struct insight_goal_status st;
    assert_int_equal(insight_goal_evaluate(&g, p, 11, d(2026, 10, 11), &st), 0);
    assert_true(st.alert);
    json_t *o = insight_goal_status_to_json(&g, &st, "en");
    assert_string_equal(json_string_value(json_object_get(o, "message")),
                        "Off track: projected 25 h by the deadline misses the target 24 h");
    assert_string_equal(json_string_value(json_object_get(o, "message_ru")),
                        "Отставание: прогноз 25 ч к сроку не достигает цели 24 ч");
    json_decref(o);
    o = insight_goal_status_to_json(&g, &st, "ru");
    assert_string_equal(json_string_value(json_object_get(o, "message")),
                        "Отставание: прогноз 25 ч к сроку не достигает цели 24 ч");
    json_decref(o);

    struct {
        const char *metric;
        double v;
        const char *lang, *want;
    } cases[] = {
        {"ttr_p90_ms", 9.03e7, "en", "25 h 5 min"},
        {"frt_p50_ms", 270000, "en", "4 min 30 s"},
        {"frt_p50_ms", 300000, "ru", "5 мин"},
        {"frt_p50_ms", 45400, "en", "45 s"},
        {"frt_p50_ms", 800, "en", "800 ms"},
        {"ttr_mean_ms", -5.4e6, "en", "-1 h 30 min"},
        {"fcr_rate", 0.125, "en", "12.5 %"},
        {"created", 42, "en", "42"},
        {"csat_mean", 4.256, "en", "4.26"},
        {"nps", 31.25, "en", "31.2"},
        {"ttr_mean_ms", NAN, "en", "—"},
        {"no_such_metric", 1234567, "en", "1.235e+06"},
    };
    char buf[48];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(insight_metric_format(insight_metric_find(cases[i].metric),
                                                  cases[i].v, cases[i].lang, buf, sizeof buf),
                            cases[i].want);
}

int run_goals_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_track),
        cmocka_unit_test(test_off_track_alert),
        cmocka_unit_test(test_increase_absolute),
        cmocka_unit_test(test_goal_bad_input),
        cmocka_unit_test(test_message_units),
    };
    return cmocka_run_group_tests_name("insight_goals", tests, NULL, NULL);
}
