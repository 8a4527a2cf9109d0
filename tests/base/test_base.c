/* test_base.c — buf, clock, csv, utf8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/utf8.h"

static void test_buf(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_str(&b), "");
    buf_puts(&b, "hello");
    buf_putc(&b, ' ');
    buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.ptr, "hello 42-x");
    assert_int_equal(b.len, 10);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    buf_printf(&b, "%s", big);
    assert_int_equal(b.len, 10 + 999);
    size_t n;
    char *s = buf_detach(&b, &n);
    assert_int_equal(n, 1009);
    assert_null(b.ptr);
    free(s);
    buf_release(&b);
}

static void test_clock_roundtrip(void **state)
{
    (void)state;
    char s[CLOCK_ISO_LEN];
    clock_format(0, s);
    assert_string_equal(s, "1970-01-01T00:00:00.000Z");
    clock_format(1795356300123LL, s);
    assert_string_equal(s, "2026-11-22T14:05:00.123Z");
    int64_t ms;
    assert_int_equal(clock_parse("2026-11-22T14:05:00.123Z", &ms), 0);
    assert_int_equal(ms, 1795356300123LL);
    assert_int_equal(clock_parse("2026-11-22T17:05:00+03:00", &ms), 0);
    assert_int_equal(ms, 1795356300000LL);
    assert_int_equal(clock_parse("2026-11-22", &ms), 0);
    assert_int_equal(ms, 1795305600000LL);
    assert_int_equal(clock_parse("2024-02-29 10:00", &ms), 0);
    clock_format(ms, s);
    assert_string_equal(s, "2024-02-29T10:00:00.000Z");
    clock_format(-1, s);
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");
}

static void test_clock_rejects(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(clock_parse("", &ms), PL_EPARSE);
    assert_int_equal(clock_parse("2026-13-01", &ms), PL_EPARSE);
    assert_int_equal(clock_parse("2026-11-22T25:00", &ms), PL_EPARSE);
    assert_int_equal(clock_parse("yesterday", &ms), PL_EPARSE);
    assert_int_equal(clock_parse("2026-11-22Tx", &ms), PL_EPARSE);
    assert_int_equal(clock_parse("2026-11-22T10:00:00.Z", &ms), PL_EPARSE);
}

static void test_utf8(void **state)
{
    (void)state;
    const char *ok = "Привет, world! 😀";
    assert_true(utf8_valid(ok, strlen(ok)));
    assert_false(utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
    assert_false(utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
    assert_false(utf8_valid("abc\xd0", 4));           /* truncated */
    assert_false(utf8_valid("a\0b", 3));              /* NUL */
    assert_int_equal(utf8_invalid_at("ab\xff", 3), 2);
}

static FILE *mem(const char *s)
{
    return fmemopen((void *)s, strlen(s), "r");
}

static void test_csv(void **state)
{
    (void)state;
    FILE *fp = mem("\xEF\xBB\xBFtext,label\r\n"
                   "\"Hello, \"\"world\"\"\",greet\r\n"
                   "\"two\nlines\",multi\n"
                   "last,x");
    struct csv *c = csv_open(fp, ',');
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_nfields(c), 2);
    assert_string_equal(csv_field(c, 0), "text");
    assert_int_equal(csv_find(c, "label"), 1);
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "Hello, \"world\"");
    assert_int_equal(csv_line(c), 2);
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "two\nlines");
    assert_int_equal(csv_field_len(c, 0), 9);
    assert_int_equal(csv_line(c), 3);
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_line(c), 5);
    assert_string_equal(csv_field(c, 1), "x");
    assert_int_equal(csv_next(c), 0);
    csv_close(c);
    fclose(fp);
}

static void test_csv_errors(void **state)
{
    (void)state;
    FILE *fp = mem("a,b\n\"open,x\n");
    struct csv *c = csv_open(fp, ',');
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_next(c), PL_EPARSE);
    assert_non_null(strstr(csv_error(c), "line 2"));
    csv_close(c);
    fclose(fp);

    fp = mem("a,b\nok,1\nbad\xff,2\n");
    c = csv_open(fp, ',');
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_next(c), PL_EUTF8);
    assert_non_null(strstr(csv_error(c), "line 3"));
    csv_close(c);
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_clock_roundtrip),
        cmocka_unit_test(test_clock_rejects),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
