/* test_config.c — configuration JSON: round trip, partial documents over
 * the defaults, and bad documents rejected with an error naming the key. */
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
#include "triage/triage.h"
#include "test_triage.h"

static void round_trip(void **state)
{
    (void)state;
    struct triage_config a, b;
    triage_config_default(&a);
    a.utc_offset_min = 180;
    a.open_min[5] = 10 * 60;
    a.close_min[5] = 14 * 60;        /* Saturday 10–14 */
    a.close_min[4] = 24 * 60;        /* Friday until midnight */
    a.holidays[0] = (int32_t)clock_days_from_civil(2026, 12, 31);
    a.holidays[1] = (int32_t)clock_days_from_civil(2027, 1, 1);
    a.n_holidays = 2;
    a.max_hostile_in_a_row = 3;
    a.esc_cue_mask = TRIAGE_CUE_LEGAL | TRIAGE_CUE_CANCEL;
    a.esc_sla_enabled = false;
    a.target[PRIORITY_HIGH].first_min = 45;
    a.anger_high = 0.75;
    a.tier_points[2] = 2;
    snprintf(a.intent[0], TRIAGE_NAME_MAX, "возврат");
    snprintf(a.category[0], TRIAGE_NAME_MAX, "оплата");
    char *js = triage_config_to_json(&a);
    assert_non_null(js);
    triage_config_default(&b);
    char err[256];
    assert_int_equal(triage_config_from_json(js, &b, err, sizeof err), 0);
    assert_int_equal(b.utc_offset_min, 180);
    assert_int_equal(b.open_min[5], 600);
    assert_int_equal(b.close_min[5], 840);
    assert_int_equal(b.close_min[4], 1440);
    assert_int_equal(b.n_holidays, 2);
    assert_int_equal(b.holidays[1], a.holidays[1]);
    assert_int_equal(b.max_hostile_in_a_row, 3);
    assert_int_equal(b.esc_cue_mask, TRIAGE_CUE_LEGAL | TRIAGE_CUE_CANCEL);
    assert_false(b.esc_sla_enabled);
    assert_int_equal(b.target[PRIORITY_HIGH].first_min, 45);
    assert_float_equal(b.anger_high, 0.75, 1e-12);
    assert_int_equal(b.tier_points[2], 2);
    assert_int_equal(b.n_intents, a.n_intents);
    assert_string_equal(b.intent[0], "возврат");
    assert_string_equal(b.category[0], "оплата");
    /* And the second serialisation is identical to the first. */
    char *js2 = triage_config_to_json(&b);
    assert_string_equal(js, js2);
    free(js);
    free(js2);
}

static void partial_over_defaults(void **state)
{
    (void)state;
    struct triage_config c;
    triage_config_default(&c);
    char err[256];
    const char *doc = "{\"routing\": {\"max_hostile_in_a_row\": 1},"
                      " \"business_hours\": {\"utc_offset_minutes\": -300,"
                      "   \"week\": {\"sat\": [\"10:00\", \"16:00\"], \"fri\": null}}}";
    assert_int_equal(triage_config_from_json(doc, &c, err, sizeof err), 0);
    assert_int_equal(c.max_hostile_in_a_row, 1);
    assert_int_equal(c.utc_offset_min, -300);
    assert_int_equal(c.open_min[5], 600);
    assert_true(c.open_min[4] >= c.close_min[4]);   /* Friday closed */
    assert_int_equal(c.open_min[0], 540);            /* Monday kept */
    assert_int_equal(c.pause_after_intense_min, 5);  /* untouched default */
}

static void expect_error(const char *doc, int rc, const char *needle)
{
    struct triage_config c, before;
    triage_config_default(&c);
    c.max_hostile_in_a_row = 7;
    before = c;
    char err[256];
    assert_int_equal(triage_config_from_json(doc, &c, err, sizeof err), rc);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    assert_int_equal(c.max_hostile_in_a_row, before.max_hostile_in_a_row);
    assert_int_equal(c.utc_offset_min, before.utc_offset_min);
}

static void bad_documents(void **state)
{
    (void)state;
    expect_error("{\"routing\": {", PL_EPARSE, "line 1");
    expect_error("[]", PL_EINVAL, "must be an object");
    expect_error("{\"rooting\": {}}", PL_EINVAL, "unknown key \"rooting\"");
    expect_error("{\"routing\": {\"max_hostile\": 2}}", PL_EINVAL, "routing: unknown key \"max_hostile\"");
    expect_error("{\"routing\": {\"max_hostile_in_a_row\": \"two\"}}", PL_EINVAL,
                 "routing.max_hostile_in_a_row: must be an integer");
    expect_error("{\"routing\": {\"max_hostile_in_a_row\": 0}}", PL_EINVAL, "out of range");
    expect_error("{\"priority\": {\"anger_high\": 1.5}}", PL_EINVAL, "priority.anger_high");
    expect_error("{\"business_hours\": {\"week\": {\"mon\": [\"18:00\", \"09:00\"]}}}", PL_EINVAL,
                 "business_hours.week.mon");
    expect_error("{\"business_hours\": {\"week\": {\"mon\": [\"9am\", \"18:00\"]}}}", PL_EINVAL,
                 "business_hours.week.mon");
    expect_error("{\"business_hours\": {\"holidays\": [\"31.12.2026\"]}}", PL_EINVAL,
                 "holidays[0]");
    expect_error("{\"business_hours\": {\"week\": {\"mon\": null, \"tue\": null, \"wed\": null,"
                 " \"thu\": null, \"fri\": null}}}", PL_EINVAL, "no open day");
    expect_error("{\"escalation\": {\"cues\": {\"cues\": [\"legal\", \"lawsuit\"]}}}", PL_EINVAL,
                 "escalation.cues.cues[1]");
    expect_error("{\"sla\": {\"urgent\": {\"first_minutes\": -5}}}", PL_EINVAL,
                 "sla.urgent.first_minutes");
    expect_error("{\"categories\": {\"map\": {\"refund\": 3}}}", PL_EINVAL, "categories.map.refund");
    expect_error("{\"routing\": {}, \"routing\": {}}", PL_EPARSE, "duplicate");
    expect_error("", PL_EPARSE, "triage config");
}

static void load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/parley-triage-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *doc = "{\"pause_sla_while_pending\": false}";
    assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    struct triage_config c;
    triage_config_default(&c);
    char err[256];
    assert_int_equal(triage_config_load(path, &c, err, sizeof err), 0);
    assert_false(c.pause_when_pending);
    unlink(path);
    assert_int_equal(triage_config_load(path, &c, err, sizeof err), PL_EIO);
    assert_non_null(strstr(err, path));
}

int run_config_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(partial_over_defaults),
        cmocka_unit_test(bad_documents),
        cmocka_unit_test(load_file),
    };
    return cmocka_run_group_tests_name("triage_config", tests, NULL, NULL);
}
