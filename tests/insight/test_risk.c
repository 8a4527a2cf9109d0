/* test_risk.c — logistic risk models on data whose true model is known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "insight/risk.h"
#include "risk_synth.h"
#include "test_insight.h"

static void test_auc_and_calibration_by_hand(void **state)
{
    (void)state;
    double s[] = {0.1, 0.4, 0.35, 0.8};
    int y[] = {0, 0, 1, 1};
    /* Pairs (pos, neg): (0.35,0.1) ok, (0.35,0.4) wrong, (0.8,*) ok → 3/4. */
    assert_true(fabs(insight_auc(s, y, 4) - 0.75) < 1e-12);
    double t[] = {0.5, 0.5};
    int ty[] = {0, 1};
    assert_true(fabs(insight_auc(t, ty, 2) - 0.5) < 1e-12);
    int one[] = {1, 1};
    assert_true(isnan(insight_auc(t, one, 2)));
    double p[] = {0.1, 0.1, 0.9, 0.9};
    int py[] = {0, 0, 1, 0};
    struct insight_calibration c;
    insight_calibrate(p, py, 4, 10, &c);
    /* Brier (0.01 + 0.01 + 0.01 + 0.81) / 4; ECE 0.5·0.1 + 0.5·0.4. */
    assert_true(fabs(c.brier - 0.21) < 1e-12);
    assert_true(fabs(c.ece - 0.25) < 1e-12);
    assert_int_equal(c.count[1], 2);
    assert_int_equal(c.count[9], 2);
    assert_true(fabs(c.observed[9] - 0.5) < 1e-12);
}

static void test_escalation_model(void **state)
{
    (void)state;
    enum insight_risk_kind k = INSIGHT_RISK_ESCALATION;
    int d = insight_risk_nfeatures(k);
    size_t n = 8000, ntr = 5600;
    double *X = malloc(n * (size_t)d * sizeof *X), *p = malloc(n * sizeof *p);
    int *y = malloc(n * sizeof *y);
    struct insight_rng r = {2026};
    synth_risk(k, &r, n, 0.0, X, y, p);
    struct insight_risk_model m;
    assert_int_equal(insight_risk_train(&m, k, X, y, ntr, 1.0), 0);
    /* Held-out later rows: AUC well above chance and near the true model's. */
    double *s = malloc((n - ntr) * sizeof *s);
    for (size_t i = ntr; i < n; i++)
        s[i - ntr] = insight_risk_predict(&m, X + i * (size_t)d);
    double auc = insight_auc(s, y + ntr, n - ntr), oracle = insight_auc(p + ntr, y + ntr, n - ntr);
    assert_true(auc > 0.7);
    assert_true(auc > oracle - 0.03);
    /* Signs of the true model: anger, cues, reopens raise risk; tier lowers it. */
    assert_true(m.w[0] > 0);
    assert_true(m.w[3] > 0);
    assert_true(m.w[5] > 0);
    assert_true(m.w[10] < 0);
    /* A furious customer with threats: the top factors say so. */
    struct insight_ticket_features f = {.anger_max = 1.0, .negativity_max = 0.9, .cues = 4,
                                        .wait_hours = 2, .priority = 1, .messages = 3};
    double x[INSIGHT_RISK_MAX_FEATURES];
    insight_ticket_vector(&f, x);
    struct insight_risk_factor fac[3];
    assert_int_equal(insight_risk_explain(&m, x, "ru", fac, 3), 3);
    assert_true(!strcmp(fac[0].name, "cues") || !strcmp(fac[0].name, "anger_max"));
    assert_true(fac[0].contribution > 0);
    assert_true(fabs(fac[0].contribution) >= fabs(fac[1].contribution));
    assert_true(insight_risk_predict(&m, x) > 0.5);
    json_t *pj = insight_risk_prediction_json(&m, x, "ru", 3);
    assert_string_equal(json_string_value(json_object_get(pj, "kind")), "escalation");
    assert_int_equal(json_array_size(json_object_get(pj, "factors")), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(pj, "factors"), 0), "label")),
                        fac[0].label);
    json_decref(pj);
    /* Save and load: identical predictions; damage is detected. */
    struct buf b = BUF_INIT;
    insight_risk_save(&m, &b);
    struct insight_risk_model m2;
    assert_int_equal(insight_risk_load(b.ptr, b.len, &m2), 0);
    assert_true(insight_risk_predict(&m2, x) == insight_risk_predict(&m, x));
    char *bad = malloc(b.len);
    memcpy(bad, b.ptr, b.len);
    bad[40] ^= 1;
    assert_int_equal(insight_risk_load(bad, b.len, &m2), PL_ECHECKSUM);
    assert_int_equal(insight_risk_load("hello", 5, &m2), PL_EFORMAT);
    assert_int_equal(insight_risk_load(b.ptr, b.len / 2, &m2), PL_EFORMAT);
    memcpy(bad, b.ptr, b.len);
    bad[12] = '2';
    assert_int_equal(insight_risk_load(bad, b.len, &m2), PL_EFORMAT);
    free(bad);
    buf_release(&b);
    free(s);
    free(X);
    free(p);
    free(y);
}

static void test_churn_and_bad_training(void **state)
{
    (void)state;
    enum insight_risk_kind k = INSIGHT_RISK_CHURN;
    int d = insight_risk_nfeatures(k);
    size_t n = 4000;
    double *X = malloc(n * (size_t)d * sizeof *X);
    int *y = malloc(n * sizeof *y);
    struct insight_rng r = {99};
    synth_risk(k, &r, n, 0.0, X, y, NULL);
    struct insight_risk_model m;
    assert_int_equal(insight_risk_train(&m, k, X, y, 3000, 1.0), 0);
    assert_true(m.w[1] > 0); /* negative share */
    assert_true(m.w[5] < 0); /* tenure */
    double *s = malloc(1000 * sizeof *s);
    for (size_t i = 0; i < 1000; i++)
        s[i] = insight_risk_predict(&m, X + (3000 + i) * (size_t)d);
    assert_true(insight_auc(s, y + 3000, 1000) > 0.65);
    free(s);
    /* One class only, bad labels, NaN features: refused. */
    int *ones = malloc(n * sizeof *ones);
    for (size_t i = 0; i < n; i++)
        ones[i] = 1;
    assert_int_equal(insight_risk_train(&m, k, X, ones, n, 1.0), PL_EINVAL);
    ones[0] = 7;
    assert_int_equal(insight_risk_train(&m, k, X, ones, n, 1.0), PL_EINVAL);
    X[3] = NAN;
    assert_int_equal(insight_risk_train(&m, k, X, y, n, 1.0), PL_EINVAL);
    assert_int_equal(insight_risk_train(&m, k, X, y, 1, 1.0), PL_EINVAL);
    free(ones);
    free(X);
    free(y);
    /* Absurd inputs are clamped, not propagated as NaN. */
    struct insight_customer_features cf = {.contacts_90d = -5, .negative_share = NAN,
                                           .tenure_days = 1e300};
    double x[INSIGHT_RISK_MAX_FEATURES];
    insight_customer_vector(&cf, x);
    for (int j = 0; j < d; j++)
        assert_true(isfinite(x[j]));
}

int run_risk_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_and_calibration_by_hand),
        cmocka_unit_test(test_escalation_model),
        cmocka_unit_test(test_churn_and_bad_training),
    };
    return cmocka_run_group_tests_name("insight_risk", tests, NULL, NULL);
}
