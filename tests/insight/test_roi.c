/* test_roi.c — ROI recomputed by hand from its inputs (docs/insight.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "insight/roi.h"
#include "test_insight.h"

static const char *example =
    "{\"currency\":\"RUB\","
    " \"period\":{\"from\":\"2026-07-01\",\"to\":\"2026-10-01\","
    "   \"staff_hours\":{\"value\":1200,\"source\":\"data\",\"note\":\"AHT × resolutions\"},"
    "   \"technology\":150000,\"training\":90000,\"opportunity\":100000,"
    "   \"reputation_repair\":50000,\"legal\":30000,\"turnover\":120000,"
    "   \"conflict_customers\":{\"value\":2000,\"source\":\"data\"},"
    "   \"retention_rate\":{\"value\":0.86,\"source\":\"data\"},"
    "   \"repeat_revenue\":700000,\"upsell_revenue\":260000,"
    "   \"sentiment_mean\":-0.05,\"review_score\":4.4},"
    " \"baseline\":{\"from\":\"2026-04-01\",\"to\":\"2026-07-01\","
    "   \"staff_hours\":1000,\"technology\":100000,\"training\":0,\"opportunity\":150000,"
    "   \"reputation_repair\":90000,\"legal\":60000,\"turnover\":200000,"
    "   \"conflict_customers\":1900,\"retention_rate\":0.80,"
    "   \"repeat_revenue\":500000,\"upsell_revenue\":200000,"
    "   \"sentiment_mean\":-0.20,\"review_score\":4.1},"
    " \"assumptions\":{\"hourly_cost\":{\"value\":800,\"note\":\"HR: salary + taxes + seat\"},"
    "   \"clv\":25000,\"acquisition_cost\":4000}}";

static void test_roi_by_hand(void **state)
{
    (void)state;
    json_t *j = json_loads(example, 0, NULL);
    assert_non_null(j);
    struct insight_roi_inputs in;
    char err[200];
    assert_int_equal(insight_roi_parse(j, &in, err, sizeof err), 0);
    json_decref(j);
    struct insight_roi_result r;
    insight_roi_compute(&in, &r);
    /* Direct: 1200 h × 800 = 960 000 + 150 000 + 90 000 = 1 200 000. */
    assert_true(r.staff_cost == 960000.0);
    assert_true(r.direct == 1200000.0);
    /* Indirect: 100 000 + 50 000 + 30 000 + 120 000 = 300 000. */
    assert_true(r.indirect == 300000.0);
    assert_true(r.costs == 1500000.0);
    /* Baseline: 1000 × 800 + 100 000 + 0 + 150 000 + 90 000 + 60 000 + 200 000. */
    assert_true(r.baseline_costs == 1400000.0);
    /* Retained: 2000 × (0.86 − 0.80) = 120 customers. */
    assert_true(fabs(r.retained_customers - 120.0) < 1e-9);
    assert_true(fabs(r.retention_benefit - 3000000.0) < 1e-6);  /* × 25 000 */
    assert_true(fabs(r.acquisition_saving - 480000.0) < 1e-6);  /* × 4 000 */
    assert_true(r.repeat_lift == 200000.0);                      /* 700k − 500k */
    assert_true(r.upsell_lift == 60000.0);                       /* 260k − 200k */
    assert_true(fabs(r.benefits - 3740000.0) < 1e-6);
    assert_true(fabs(r.net - 2240000.0) < 1e-6);
    /* ROI = 2 240 000 / 1 500 000 = 1.49333… */
    assert_true(fabs(r.roi - 2240000.0 / 1500000.0) < 1e-12);
    assert_int_equal(r.missing, 0);

    json_t *rep = insight_roi_report(&in, &r, "ru");
    assert_non_null(rep);
    assert_true(fabs(json_real_value(json_object_get(rep, "roi_percent")) - 149.3333333) < 1e-4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(rep, "period"), "from")),
                        "2026-07-01T00:00:00.000Z");
    /* Every input is listed with its source and a Russian explanation. */
    json_t *inputs = json_object_get(rep, "inputs");
    size_t i;
    json_t *x;
    int seen = 0;
    json_array_foreach(inputs, i, x) {
        if (!strcmp(json_string_value(json_object_get(x, "name")), "staff_hours") &&
            !strcmp(json_string_value(json_object_get(x, "period")), "period")) {
            assert_string_equal(json_string_value(json_object_get(x, "source")), "data");
            assert_string_equal(json_string_value(json_object_get(x, "note")),
                                "AHT × resolutions");
            assert_non_null(strstr(json_string_value(json_object_get(x, "explanation")),
                                   "Часы сотрудников"));
            seen++;
        }
    }
    assert_int_equal(seen, 1);
    /* Intangibles are reported for both periods, not added to benefits. */
    json_t *soft = json_array_get(json_object_get(rep, "intangible"), 0);
    assert_string_equal(json_string_value(json_object_get(soft, "name")), "sentiment_mean");
    assert_true(fabs(json_real_value(json_object_get(soft, "change")) - 0.15) < 1e-12);
    json_decref(rep);
}

static void test_roi_missing_and_override(void **state)
{
    (void)state;
    struct insight_roi_inputs in;
    insight_roi_inputs_init(&in);
    struct insight_roi_result r;
    insight_roi_compute(&in, &r);
    assert_true(isnan(r.roi)); /* no costs → undefined, not a division by zero */
    assert_true(r.missing > 5);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_technology, false, 1000, INSIGHT_SRC_ENTERED,
                                     NULL), 0);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_retained_customers, false, 3,
                                     INSIGHT_SRC_ENTERED, "from the CRM"), 0);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_clv, false, 500, INSIGHT_SRC_ENTERED, NULL),
                     0);
    insight_roi_compute(&in, &r);
    /* (3 × 500 − 1000) / 1000 = 0.5 */
    assert_true(fabs(r.roi - 0.5) < 1e-12);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_legal, false, -1, INSIGHT_SRC_ENTERED, NULL),
                     PL_EINVAL);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_retention_rate, true, 1.2,
                                     INSIGHT_SRC_DATA, NULL), PL_EINVAL);
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_legal, false, NAN, INSIGHT_SRC_DATA, NULL),
                     PL_EINVAL);
    /* A note cut inside a Cyrillic letter stays valid UTF-8. */
    char note[400];
    memset(note, 0, sizeof note);
    for (int k = 0; k < 150; k++)
        memcpy(note + 1 + 2 * k, "я", 2);
    note[0] = 'x';
    assert_int_equal(insight_roi_set(&in, INSIGHT_ROI_legal, false, 1, INSIGHT_SRC_DATA, note), 0);
    json_t *rep = insight_roi_report(&in, &r, "en");
    assert_non_null(rep);
    json_decref(rep);
    assert_string_equal(insight_roi_explain(INSIGHT_ROI_clv, "en"), "Customer lifetime value");
}

static void test_roi_bad_json(void **state)
{
    (void)state;
    const char *bad[] = {
        "[]",
        "{\"period\":{\"staf_hours\":1}}",
        "{\"period\":{\"staff_hours\":-5}}",
        "{\"period\":{\"staff_hours\":\"many\"}}",
        "{\"period\":{\"retention_rate\":1.5}}",
        "{\"period\":{\"staff_hours\":{\"value\":1,\"source\":\"guess\"}}}",
        "{\"period\":{\"staff_hours\":{\"note\":\"no value\"}}}",
        "{\"period\":{\"clv\":100}}",
        "{\"assumptions\":{\"legal\":100}}",
        "{\"period\":{\"from\":\"yesterday\"}}",
        "{\"period\":[1]}",
        "{\"currency\":\"RUBLES-TOO-LONG\"}",
        "{\"extra\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        struct insight_roi_inputs in;
        char err[200];
        assert_int_equal(insight_roi_parse(j, &in, err, sizeof err), PL_EINVAL);
        assert_true(strlen(err) > 0);
        json_decref(j);
    }
    struct insight_roi_inputs in;
    assert_int_equal(insight_roi_parse(NULL, &in, NULL, 0), PL_EINVAL);
}

int run_roi_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roi_by_hand),
        cmocka_unit_test(test_roi_missing_and_override),
        cmocka_unit_test(test_roi_bad_json),
    };
    return cmocka_run_group_tests_name("insight_roi", tests, NULL, NULL);
}
