/* test_robust.c — every parser of user input in insight, fed thousands of
 * deterministic mutations of valid input: errors are fine, crashes (ASan)
 * and leaks are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "insight/deviation.h"
#include "insight/goals.h"
#include "insight/metrics.h"
#include "insight/risk.h"
#include "insight/roi.h"
#include "insight/stats.h"
#include "test_insight.h"

static const char *const seeds[] = {
    "{\"currency\":\"RUB\",\"period\":{\"from\":\"2026-07-01\",\"staff_hours\":{\"value\":12,"
    "\"source\":\"data\",\"note\":\"я\"},\"retention_rate\":0.5},\"baseline\":{\"legal\":3},"
    "\"assumptions\":{\"clv\":100}}",
    "{\"metric\":\"ttr\",\"baseline\":{\"from\":\"2026-07-01\",\"to\":\"2026-08-01\"},"
    "\"target\":{\"relative\":-0.2},\"start\":\"2026-08-01\",\"deadline\":\"2026-09-01\"}",
    "{\"metric\":\"frt\",\"mode\":\"band\",\"bad\":\"both\",\"k\":3,\"window\":10,"
    "\"raise_minutes\":60}",
    "{\"status\":\"resolved\",\"score\":4,\"nps\":9,\"priority\":\"high\",\"assignee_id\":3,"
    "\"category\":\"billing\",\"analysis\":{\"sentiment\":-0.4,\"emotion\":\"anger\"}}",
};

static void mutate(struct insight_rng *r, const char *in, char *out, size_t cap)
{
    size_t n = strlen(in);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, in, n);
    out[n] = 0;
    int edits = 1 + (int)(insight_rng_next(r) % 4);
    for (int e = 0; e < edits && n > 1; e++) {
        size_t at = insight_rng_next(r) % n;
        switch (insight_rng_next(r) % 4) {
        case 0: /* flip a byte */
            out[at] = (char)(insight_rng_next(r) & 0xff);
            if (!out[at])
                out[at] = '"';
            break;
        case 1: /* delete a byte */
            memmove(out + at, out + at + 1, n - at);
            n--;
            break;
        case 2: /* duplicate a span */
            if (n + 8 < cap) {
                memmove(out + at + 8, out + at, n - at + 1);
                n += 8;
            }
            break;
        default: /* a number becomes huge or odd */
            if (n + 6 < cap) {
                memmove(out + at + 6, out + at, n - at + 1);
                memcpy(out + at, "1e999,", 6);
                n += 6;
            }
        }
    }
}

static void test_mutated_inputs(void **state)
{
    (void)state;
    struct insight_rng r = {12345};
    char buf[1024], err[200];
    struct insight_metrics *m = insight_metrics_new(NULL);
    const char *types[] = {"ticket.created", "ticket.status",  "survey.answered",
                           "ticket.priority", "ticket.assignee", "ticket.category",
                           "message.inbound", "ticket.sla"};
    for (int i = 0; i < 4000; i++) {
        const char *seed = seeds[i % 4];
        mutate(&r, seed, buf, sizeof buf);
        json_t *j = json_loads(buf, 0, NULL);
        if (j) {
            struct insight_roi_inputs in;
            if (!insight_roi_parse(j, &in, err, sizeof err)) {
                struct insight_roi_result res;
                insight_roi_compute(&in, &res);
                json_t *rep = insight_roi_report(&in, &res, "ru");
                assert_non_null(rep);
                json_decref(rep);
            }
            struct insight_goal g;
            if (!insight_goal_parse(j, &g, err, sizeof err)) {
                json_t *o = insight_goal_to_json(&g);
                assert_non_null(o);
                json_decref(o);
            }
            struct insight_dev_config c;
            if (!insight_dev_config_parse(j, &c, err, sizeof err))
                insight_dev_free(insight_dev_new(&c));
            struct insight_agg a;
            (void)insight_agg_from_json(j, &a);
            json_decref(j);
        }
        struct event e = {0};
        e.type = (char *)types[insight_rng_next(&r) % 8];
        e.ticket_id = 1 + (int64_t)(insight_rng_next(&r) % 20);
        e.customer_id = 1 + (int64_t)(insight_rng_next(&r) % 5);
        e.after = buf;
        e.before = i % 3 ? NULL : buf;
        e.created_at = (int64_t)i * 60000;
        int rc = insight_metrics_apply(m, &e);
        assert_true(rc == 0 || rc == PL_EINVAL || rc == PL_EPARSE);
    }
    struct insight_report rep;
    insight_metrics_query(m, INSIGHT_DAY, 0, 10 * 86400000LL, INSIGHT_DIM_ALL, 0, &rep);
    json_t *o = insight_report_to_json(&rep);
    assert_non_null(o);
    json_decref(o);
    insight_metrics_free(m);

    /* Model files: every single-byte change is refused. */
    struct insight_risk_model model;
    memset(&model, 0, sizeof model);
    model.kind = INSIGHT_RISK_CHURN;
    model.d = insight_risk_nfeatures(INSIGHT_RISK_CHURN);
    for (int j2 = 0; j2 < model.d; j2++) {
        model.w[j2] = 0.1 * j2;
        model.sd[j2] = 1;
    }
    struct buf b = BUF_INIT;
    insight_risk_save(&model, &b);
    struct insight_risk_model back;
    assert_int_equal(insight_risk_load(b.ptr, b.len, &back), 0);
    char *copy = malloc(b.len);
    for (size_t at = 0; at < b.len; at++) {
        memcpy(copy, b.ptr, b.len);
        copy[at] ^= 0x20;
        int rc = insight_risk_load(copy, b.len, &back);
        assert_true(rc == PL_ECHECKSUM || rc == PL_EFORMAT);
    }
    free(copy);
    buf_release(&b);
}

int run_robust_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutated_inputs),
    };
    return cmocka_run_group_tests_name("insight_robust", tests, NULL, NULL);
}
