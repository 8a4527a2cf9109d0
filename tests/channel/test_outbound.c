/* test_outbound.c — the outbound side of the channels: Parley's
 * Message-IDs, a reply built as MIME and read back by the inbound parser,
 * and the webhook signature against an independent HMAC-SHA256 (Python's
 * hmac module). */
#include "base/err.h"
#include "channel/mail.h"
#include "channel/webhook.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void test_parley_ids(void **state)
{
    (void)state;
    char *id = mail_parley_id(5, 7, "Support <help@shop.example>");
    assert_string_equal(id, "parley.5.7@shop.example");
    int64_t m = 0, t = 0;
    assert_int_equal(mail_parley_id_parse(id, &m, &t), 0);
    assert_int_equal(m, 5);
    assert_int_equal(t, 7);
    free(id);
    id = mail_parley_id(1, 2, NULL);
    assert_string_equal(id, "parley.1.2@parley.invalid");
    free(id);
    const char *not_ours[] = {"first-1@example.ru", "parley.x.1@a", "parley.1@a", "parley.0.3@a",
                              "parley.1.2", NULL};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++)
        assert_int_equal(mail_parley_id_parse(not_ours[i], &m, &t), -1);
}

static void test_build_reads_back(void **state)
{
    (void)state;
    struct mail_out o = {
        .from = "Support <help@shop.example>", .to = "maria@example.org",
        .to_name = "Мария Петрова", .subject = "Re: Счёт за заказ 1042",
        .message_id = "parley.9.4@shop.example", .in_reply_to = "cust-1@example.org",
        .references = "<root@example.org> <cust-1@example.org>",
        .body = "Здравствуйте!\nМы вернём деньги сегодня.\n.\nline after a lone dot",
        .date_ms = 1700000000000};
    size_t len = 0;
    char *raw = mail_build(&o, &len);
    assert_non_null(raw);
    assert_int_equal(len, strlen(raw));
    assert_non_null(strstr(raw, "\r\n\r\n"));            /* CRLF line ends */
    assert_null(strstr(raw, "Re: Счёт"));               /* headers are RFC 2047 encoded */
    assert_non_null(strstr(raw, "charset=utf-8"));
    struct mail m;
    char *err = NULL;
    assert_int_equal(mail_parse(raw, len, &m, &err), 0);
    assert_string_equal(m.from_addr, "help@shop.example");
    assert_string_equal(m.subject, "Re: Счёт за заказ 1042");
    assert_string_equal(m.message_id, "parley.9.4@shop.example");
    assert_string_equal(m.in_reply_to, "cust-1@example.org");
    assert_int_equal(m.nrefs, 2);
    assert_string_equal(m.refs[0], "root@example.org");
    assert_string_equal(m.text, o.body);
    assert_int_equal(m.date_ms, 1700000000000);
    mail_clear(&m);
    free(raw);

    struct mail_out bad = o;
    bad.to = "not an address";
    assert_null(mail_build(&bad, &len));
    bad = o;
    bad.from = NULL;
    assert_null(mail_build(&bad, &len));
    char *a = mail_address("Support <help@shop.example>");
    assert_string_equal(a, "help@shop.example");
    free(a);
    assert_null(mail_address("a@b.c, d@e.f"));
    assert_null(mail_address("nobody"));
}

static void test_webhook_signature(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIG_MAX];
    const char *body = "{\"a\":1}";
    webhook_signature("whsec_test", 1700000000, body, strlen(body), sig);
    /* python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test",
     *   b"1700000000.{\"a\":1}", hashlib.sha256).hexdigest())' */
    assert_string_equal(sig, "t=1700000000,v1="
                             "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parley_ids),
        cmocka_unit_test(test_build_reads_back),
        cmocka_unit_test(test_webhook_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
