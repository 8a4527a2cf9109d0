/* test_spike.c — the complaint-spike detector on seasonal Poisson series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "insight/spike.h"
#include "insight/stats.h"
#include "test_insight.h"

#define HOUR 3600000LL

static double rate(int t, double base)
{
    static const double day[24] = {0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8,
                                   1.7, 1.7, 1.7, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5, 0.4, 0.3};
    int d = (t / 24) % 7;
    return base * day[t % 24] * (d >= 5 ? 0.5 : 1.15);
}

static int64_t t0(void)
{
    return clock_days_from_civil(2026, 11, 2) * 86400000LL; /* Monday */
}

static void test_detects_injected_spike(void **state)
{
    (void)state;
    struct insight_spike *s = insight_spike_new(NULL);
    struct insight_rng r = {42};
    int raised = 0, cleared = 0, false_alarms = 0;
    int spike_from = 4 * 168 + 24 * 2 + 10, spike_to = spike_from + 6; /* Wed 10:00–16:00 */
    struct insight_spike_alert a, first = {0};
    for (int t = 0; t < 6 * 168; t++) {
        double lam = rate(t, 4.0) * (t >= spike_from && t < spike_to ? 3.0 : 1.0);
        int c = insight_spike_observe(s, t0() + t * HOUR, insight_rng_poisson(&r, lam), &a);
        assert_true(c >= 0);
        if (c == INSIGHT_SPIKE_RAISED) {
            if (t >= spike_from && t < spike_to + 6) {
                raised++;
                if (raised == 1)
                    first = a;
            } else {
                false_alarms++;
            }
        }
        if (c == INSIGHT_SPIKE_CLEARED && t >= spike_from)
            cleared++;
    }
    assert_int_equal(raised, 1);
    assert_int_equal(false_alarms, 0);
    assert_true(cleared >= 1);
    assert_false(insight_spike_active(s));
    /* The alert says how big: well above expectation, near the true 3×. */
    assert_true(first.observed > first.expected + 10);
    assert_true(first.ratio > 1.8 && first.ratio < 5.0);
    assert_true(first.started_at >= t0() + (spike_from - 12) * HOUR);
    assert_true(first.started_at <= first.raised_at);
    assert_true(first.raised_at < t0() + spike_to * HOUR);
    /* The learned baseline follows the seasonality (Tue 11:00 vs 03:00). */
    double peak = insight_spike_expected(s, t0() + (5 * 168 + 24 + 11) * HOUR);
    double night = insight_spike_expected(s, t0() + (5 * 168 + 24 + 3) * HOUR);
    assert_true(fabs(peak - rate(24 + 11, 4.0)) < 0.3 * rate(24 + 11, 4.0));
    assert_true(night < peak / 3);
    insight_spike_free(s);
}

/* Bursty (negative-binomial) traffic: no false alarm in six quiet weeks,
 * and a 4× rise for six hours is still found. */
static void test_bursty_traffic(void **state)
{
    (void)state;
    struct insight_spike *s = insight_spike_new(NULL);
    struct insight_rng r = {2024};
    int spike_from = 7 * 168 + 24 + 10, spike_to = spike_from + 6; /* Tue 10:00–16:00 */
    int false_alarms = 0, found = 0;
    for (int t = 0; t < 8 * 168; t++) {
        double lam = rate(t, 8.0) * insight_rng_gamma(&r, 3.0) / 3.0; /* var λ + λ²/3 */
        if (t >= spike_from && t < spike_to)
            lam *= 4.0;
        struct insight_spike_alert a;
        int c = insight_spike_observe(s, t0() + t * HOUR, insight_rng_poisson(&r, lam), &a);
        if (c == INSIGHT_SPIKE_RAISED) {
            if (t >= spike_from && t < spike_to + 6)
                found++;
            else
                false_alarms++;
        }
    }
    assert_int_equal(false_alarms, 0);
    assert_int_equal(found, 1);
    insight_spike_free(s);
}

static void test_bad_input_and_gaps(void **state)
{
    (void)state;
    struct insight_spike *s = insight_spike_new(NULL);
    assert_true(isnan(insight_spike_expected(s, t0())));
    assert_int_equal(insight_spike_observe(s, t0(), -1, NULL), PL_EINVAL);
    assert_int_equal(insight_spike_observe(s, t0(), NAN, NULL), PL_EINVAL);
    assert_int_equal(insight_spike_observe(s, INT64_MAX, 1, NULL), PL_EINVAL);
    assert_int_equal(insight_spike_observe(s, t0(), 2, NULL), 0);
    assert_int_equal(insight_spike_observe(s, t0(), 2, NULL), PL_EINVAL); /* same hour */
    assert_int_equal(insight_spike_observe(s, t0() + 5 * HOUR, 2, NULL), 0); /* gap → zeros */
    insight_spike_free(s);
}

static void test_set_names_category_and_samples(void **state)
{
    (void)state;
    struct insight_spikes *set = insight_spikes_new(NULL);
    struct insight_rng r = {7};
    struct insight_spike_alert out[4];
    int got = 0;
    int64_t ticket = 1;
    for (int t = 0; t < 4 * 168; t++) {
        double mult = t >= 3 * 168 + 34 && t < 3 * 168 + 40 ? 4.0 : 1.0;
        unsigned nb = insight_rng_poisson(&r, rate(t, 2.0) * mult);
        unsigned nd = insight_rng_poisson(&r, rate(t, 2.0));
        for (unsigned i = 0; i < nb; i++) {
            int n = insight_spikes_add(set, "billing", t0() + t * HOUR + 60000 * i, ticket++,
                                       out, 4);
            assert_true(n >= 0);
            for (int k = 0; k < n; k++)
                if (!out[k].cleared_at && !got) {
                    assert_string_equal(out[k].category, "billing");
                    assert_true(out[k].nsamples > 0);
                    assert_true(out[k].samples[out[k].nsamples - 1] < ticket);
                    json_t *j = insight_spike_alert_to_json(&out[k]);
                    assert_string_equal(json_string_value(json_object_get(j, "category")),
                                        "billing");
                    json_decref(j);
                    got = 1;
                }
        }
        for (unsigned i = 0; i < nd; i++) {
            int n = insight_spikes_add(set, "delivery", t0() + t * HOUR + 60000 * i, 0, out, 4);
            for (int k = 0; k < n; k++)
                assert_string_not_equal(out[k].category, "delivery");
        }
        int n = insight_spikes_tick(set, t0() + (t + 1) * HOUR, out, 4);
        for (int k = 0; k < n; k++) {
            assert_string_equal(out[k].category, "billing");
            if (!out[k].cleared_at && !got) {
                assert_true(out[k].nsamples > 0);
                assert_true(out[k].ratio > 2.0);
                got = 1;
            }
        }
    }
    assert_true(got);
    char big[100];
    memset(big, 'x', sizeof big - 1);
    big[99] = 0;
    assert_int_equal(insight_spikes_add(set, big, t0(), 1, out, 4), PL_EINVAL);
    assert_int_equal(insight_spikes_add(set, NULL, t0(), 1, out, 4), PL_EINVAL);
    insight_spikes_free(set);
}

int run_spike_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_injected_spike),
        cmocka_unit_test(test_bursty_traffic),
        cmocka_unit_test(test_bad_input_and_gaps),
        cmocka_unit_test(test_set_names_category_and_samples),
    };
    return cmocka_run_group_tests_name("insight_spike", tests, NULL, NULL);
}
