/* test_mail.c — e-mail parsing: plain, multipart/alternative, HTML-only
 * (with script and entities), Russian in koi8-r with encoded-word subject,
 * base64 and quoted-printable bodies, quoted replies and signatures in
 * English and Russian (Gmail, Outlook), attachments, threading headers,
 * and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "channel/mail.h"

static struct mail parse_ok(const char *raw)
{
    struct mail m;
    char *err = NULL;
    int rc = mail_parse(raw, strlen(raw), &m, &err);
    if (rc)
        fprintf(stderr, "mail_parse: %s\n", err);
    assert_int_equal(rc, 0);
    assert_true(utf8_valid(m.text, strlen(m.text)));
    return m;
}

static void test_plain_with_threading(void **state)
{
    (void)state;
    struct mail m = parse_ok(
        "From: Karen Miles <Karen.Miles@Example.com>\r\n"
        "To: support@shop.example\r\n"
        "Subject: Re: Still no refund\r\n"
        "Message-ID: <c3@mail.example.com>\r\n"
        "In-Reply-To: <b2@shop.example>\r\n"
        "References: <a1@mail.example.com> <b2@shop.example>\r\n"
        "Date: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
        "\r\n"
        "Three weeks and nothing. Fix it today.\r\n");
    assert_string_equal(m.from_addr, "karen.miles@example.com");
    assert_string_equal(m.from_name, "Karen Miles");
    assert_string_equal(m.subject, "Re: Still no refund");
    assert_string_equal(m.message_id, "c3@mail.example.com");
    assert_string_equal(m.in_reply_to, "b2@shop.example");
    assert_int_equal(m.nrefs, 2);
    assert_string_equal(mail_thread_root(&m), "a1@mail.example.com");
    assert_true(m.date_ms == 1740996000000LL);
    assert_non_null(strstr(m.text_new, "Fix it today."));
    mail_clear(&m);
}

static void test_multipart_alternative_prefers_plain(void **state)
{
    (void)state;
    struct mail m = parse_ok(
        "From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n"
        "--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html words</p>\r\n"
        "--XX--\r\n");
    assert_non_null(strstr(m.text, "plain words"));
    assert_null(strstr(m.text, "html words"));
    mail_clear(&m);
}

static void test_html_only(void **state)
{
    (void)state;
    struct mail m = parse_ok(
        "From: a@example.com\r\nSubject: html\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Order &#8470;58213 &amp; <b>nothing</b>&nbsp;arrived</p>"
        "<script>alert(1)</script><div>Second&nbsp;line</div></body></html>\r\n");
    assert_string_equal(m.text, "Order \xE2\x84\x96" "58213 & nothing arrived\n\nSecond line");
    assert_null(strstr(m.text, "alert"));
    assert_null(strstr(m.text, "color"));
    mail_clear(&m);
}

static void test_koi8r_and_encoded_subject(void **state)
{
    (void)state;
    /* "Где заказ?" in koi8-r, base64 body; subject "Жалоба" as RFC 2047 */
    struct mail m = parse_ok(
        "From: =?utf-8?B?0JjRgNC40L3QsA==?= <irina@example.ru>\r\n"
        "Subject: =?koi8-r?B?9sHMz8LB?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "58TFINrBy8HaPw==\r\n");
    assert_string_equal(m.from_name, "Ирина");
    assert_string_equal(m.subject, "Жалоба");
    assert_string_equal(m.text, "Где заказ?");
    mail_clear(&m);
}

static void test_windows1251_quoted_printable(void **state)
{
    (void)state;
    struct mail m = parse_ok(
        "From: oleg@example.ru\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=windows-1251\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "=C2=E5=F0=ED=E8=F2=E5 =E4=E5=ED=FC=E3=E8\r\n");
    assert_string_equal(m.text, "Верните деньги");
    mail_clear(&m);
}

static void test_trim_english_gmail_and_signature(void **state)
{
    (void)state;
    char *t = mail_trim_reply(
        "It still has not arrived!\n\n"
        "Best regards,\nKaren\n\n"
        "On Mon, 3 Mar 2025 at 10:00, Support <support@shop.example> wrote:\n"
        "> We are sorry for the delay.\n");
    assert_string_equal(t, "It still has not arrived!");
    free(t);
    t = mail_trim_reply("Thanks, that works.\n-- \nJohn Smith\nACME Ltd\n");
    assert_string_equal(t, "Thanks, that works.");
    free(t);
}

static void test_trim_russian_and_outlook(void **state)
{
    (void)state;
    char *t = mail_trim_reply(
        "Деньги так и не вернули.\n"
        "Отправлено с iPhone\n\n"
        "пн, 3 мар. 2025 г. в 10:00, Поддержка <support@shop.example>:\n"
        "> Мы вернём деньги в течение 3 дней.\n");
    assert_string_equal(t, "Деньги так и не вернули.");
    free(t);
    t = mail_trim_reply("Please escalate.\n\nFrom: Support <s@shop.example>\n"
                        "Sent: Monday, March 3, 2025 10:00\nTo: me\n\nOld text\n");
    assert_string_equal(t, "Please escalate.");
    free(t);
    t = mail_trim_reply("Олег написал:\n> старое\nнет, не так\n");
    assert_string_equal(t, "");
    free(t);
}

static void test_attachment(void **state)
{
    (void)state;
    struct mail m = parse_ok(
        "From: a@example.com\r\nSubject: receipt\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nSee the receipt.\r\n"
        "--B\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=utf-8''%D1%87%D0%B5%D0%BA.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n");
    assert_int_equal(m.natt, 1);
    assert_string_equal(m.att[0].filename, "чек.pdf");
    assert_string_equal(m.att[0].content_type, "application/pdf");
    assert_int_equal(m.att[0].size, 9);
    assert_string_equal(m.text_new, "See the receipt.");
    mail_clear(&m);
}

static void test_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"", "garbage \x01\x02\x03", "Subject: no sender\r\n\r\nbody\r\n",
                         "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mail m;
        char *err = NULL;
        assert_int_equal(mail_parse(bad[i], strlen(bad[i]), &m, &err), PL_EPARSE);
        assert_non_null(err);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_with_threading),
        cmocka_unit_test(test_multipart_alternative_prefers_plain),
        cmocka_unit_test(test_html_only),
        cmocka_unit_test(test_koi8r_and_encoded_subject),
        cmocka_unit_test(test_windows1251_quoted_printable),
        cmocka_unit_test(test_trim_english_gmail_and_signature),
        cmocka_unit_test(test_trim_russian_and_outlook),
        cmocka_unit_test(test_attachment),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
