/* test_model.c — ticket life cycle, enum names, identity normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "model/model.h"

static void test_status_moves(void **state)
{
    (void)state;
    assert_true(status_can_move(STATUS_NEW, STATUS_OPEN));
    assert_true(status_can_move(STATUS_OPEN, STATUS_PENDING));
    assert_true(status_can_move(STATUS_PENDING, STATUS_OPEN));
    assert_true(status_can_move(STATUS_OPEN, STATUS_RESOLVED));
    assert_true(status_can_move(STATUS_RESOLVED, STATUS_CLOSED));
    assert_true(status_can_move(STATUS_RESOLVED, STATUS_OPEN));  /* reopen */
    assert_true(status_can_move(STATUS_CLOSED, STATUS_OPEN));    /* reopen */
    assert_false(status_can_move(STATUS_NEW, STATUS_CLOSED));
    assert_false(status_can_move(STATUS_OPEN, STATUS_NEW));
    assert_false(status_can_move(STATUS_CLOSED, STATUS_RESOLVED));
    assert_false(status_can_move(STATUS_OPEN, STATUS_CLOSED));
    assert_false(status_can_move(STATUS_OPEN, STATUS_OPEN));
    assert_false(status_can_move((enum ticket_status)99, STATUS_OPEN));
    assert_true(status_is_open(STATUS_PENDING));
    assert_false(status_is_open(STATUS_RESOLVED));
}

static void test_enum_names(void **state)
{
    (void)state;
    enum channel c;
    assert_int_equal(channel_parse("social", &c), 0);
    assert_int_equal(c, CHANNEL_SOCIAL);
    assert_string_equal(channel_name(CHANNEL_EMAIL), "email");
    assert_int_equal(channel_parse("fax", &c), PL_EINVAL);
    assert_int_equal(channel_parse(NULL, &c), PL_EINVAL);
    enum priority p;
    assert_int_equal(priority_parse("urgent", &p), 0);
    assert_int_equal(p, PRIORITY_URGENT);
    assert_string_equal(status_name(STATUS_PENDING), "pending");
    assert_string_equal(role_name((enum role)42), "?");
}

static void test_identity_normalize(void **state)
{
    (void)state;
    char e[] = "  Ivan.Petrov@Example.RU ";
    assert_int_equal(identity_normalize(IDENTITY_EMAIL, e), 0);
    assert_string_equal(e, "ivan.petrov@example.ru");
    char bad[] = "no-at-sign";
    assert_int_equal(identity_normalize(IDENTITY_EMAIL, bad), PL_EINVAL);
    char ph[] = "+7 (916) 555-12-34";
    assert_int_equal(identity_normalize(IDENTITY_PHONE, ph), 0);
    assert_string_equal(ph, "+79165551234");
    char shortph[] = "12-3";
    assert_int_equal(identity_normalize(IDENTITY_PHONE, shortph), PL_EINVAL);
    char h[] = "@Mike_Rides";
    assert_int_equal(identity_normalize(IDENTITY_HANDLE, h), 0);
    assert_string_equal(h, "mike_rides");
    char empty[] = "   ";
    assert_int_equal(identity_normalize(IDENTITY_CHAT, empty), PL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_moves),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_identity_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
