/* test_imap.c — the IMAP client against a scripted server on 127.0.0.1
 * that answers the way real servers may and hostile ones would: out of
 * order, unsolicited responses, a literal that holds response-like lines
 * and arrives a byte at a time, a message over the limit, NO, a refused
 * log-in, a line without end, a connection closed mid-literal, silence.
 * tests/http/test_imap.py runs the same code against a real Dovecot. */
#include "base/err.h"
#include "channel/imap.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define BODY "Subject: hi\r\n\r\np3 OK not the end\r\n* SEARCH 9\r\n* 1 FETCH (UID 1 BODY[] {2}\r\n"

struct fake;
/* Answers one command after log-in; false closes the connection. */
typedef bool answer_fn(struct fake *f, int fd, const char *tag, const char *cmd);

struct fake {
    int lfd, port;
    pthread_t th;
    bool refuse_login;
    answer_fn *answer;
    char log[4096];              /* the commands received after log-in */
};

static void put(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

static void say(int fd, const char *fmt, const char *tag)
{
    char out[512];
    int n = snprintf(out, sizeof out, fmt, tag);
    put(fd, out, (size_t)n);
}

static bool read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    char c;
    while (recv(fd, &c, 1, 0) == 1) {
        if (c == '\n') {
            line[n && line[n - 1] == '\r' ? n - 1 : n] = '\0';
            return true;
        }
        if (n + 1 < cap)
            line[n++] = c;
    }
    return false;
}

static void *serve(void *arg)
{
    struct fake *f = arg;
    int fd = accept(f->lfd, NULL, NULL);
    say(fd, "* OK fake IMAP ready\r\n", "");
    char line[1024];
    bool on = true;
    while (on && read_line(fd, line, sizeof line)) {
        char *cmd = strchr(line, ' ');
        if (!cmd)
            break;
        *cmd++ = '\0';
        if (strcasecmp(cmd, "CAPABILITY") == 0) {
            say(fd, "* CAPABILITY IMAP4rev1\r\n%s OK done\r\n", line);
        } else if (strncasecmp(cmd, "LOGIN ", 6) == 0) {
            say(fd, f->refuse_login ? "%s NO [AUTHENTICATIONFAILED] no\r\n" : "%s OK in\r\n",
                line);
        } else if (strcasecmp(cmd, "LOGOUT") == 0) {
            say(fd, "* BYE\r\n%s OK bye\r\n", line);
            on = false;
        } else {
            size_t n = strlen(f->log);
            snprintf(f->log + n, sizeof f->log - n, "%s\n", cmd);
            on = f->answer(f, fd, line, cmd);
        }
    }
    close(fd);
    return NULL;
}

static void fake_start(struct fake *f, answer_fn *answer)
{
    memset(f, 0, sizeof *f);
    f->answer = answer;
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f->lfd, 1), 0);
    getsockname(f->lfd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

static void fake_stop(struct fake *f)
{
    pthread_join(f->th, NULL);
    close(f->lfd);
}

static int open_on(struct fake *f, const char *box, const atomic_int *stop, struct imap **s,
                   char **err)
{
    char url[128];
    snprintf(url, sizeof url, "imap://u1:pw@127.0.0.1:%d/%s", f->port, box);
    struct imap_config c = {.url = url, .stop = stop};
    return imap_open(&c, s, err);
}

static bool answer_mailbox(struct fake *f, int fd, const char *tag, const char *cmd)
{
    (void)f;
    if (strncmp(cmd, "SELECT ", 7) == 0) {
        say(fd, "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n%s OK [READ-WRITE] done\r\n", tag);
    } else if (strcmp(cmd, "UID SEARCH UNSEEN") == 0) {
        say(fd, "* SEARCH 3 1 2\r\n%s OK done\r\n", tag);
    } else if (strcmp(cmd, "UID FETCH 2 (UID BODY.PEEK[])") == 0) {
        char head[64];
        int n = snprintf(head, sizeof head, "* 2 FETCH (UID 2 BODY[] {%zu}\r\n", strlen(BODY));
        say(fd, "* 4 FETCH (FLAGS (\\Seen))\r\n", tag);      /* someone else's change */
        put(fd, head, (size_t)n);
        for (const char *p = BODY; *p; p++)                   /* a byte at a time */
            put(fd, p, 1);
        say(fd, ")\r\n%s OK done\r\n", tag);
    } else if (strcmp(cmd, "UID FETCH 8 (UID BODY.PEEK[])") == 0) {
        char head[64], zeros[65536] = {0};
        int n = snprintf(head, sizeof head, "* 8 FETCH (UID 8 BODY[] {%u}\r\n",
                         IMAP_MESSAGE_MAX + 1);
        put(fd, head, (size_t)n);
        for (size_t left = IMAP_MESSAGE_MAX + 1; left;) {
            size_t k = left < sizeof zeros ? left : sizeof zeros;
            put(fd, zeros, k);
            left -= k;
        }
        say(fd, ")\r\n%s OK done\r\n", tag);
    } else if (strcmp(cmd, "UID FETCH 5 (UID BODY.PEEK[])") == 0) {
        say(fd, "* 5 FETCH (UID 5 BODY[] {100}\r\nonly part of it", tag);
        return false;
    } else if (strncmp(cmd, "UID STORE 9 ", 12) == 0) {
        say(fd, "%s NO [CANNOT] read-only mailbox\r\n", tag);
    } else {
        say(fd, "%s OK done\r\n", tag);                       /* FETCH 7: nothing, gone */
    }
    return true;
}

static void test_session(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f, answer_mailbox);
    struct imap *s = NULL;
    char *err = NULL, *raw = NULL;
    size_t n = 0, len = 0;
    int64_t *uids = NULL;
    assert_int_equal(open_on(&f, "Sent%20%22x%22", NULL, &s, &err), 0);
    assert_int_equal(imap_unseen(s, &uids, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_true(uids[0] == 1 && uids[1] == 2 && uids[2] == 3);
    free(uids);

    assert_int_equal(imap_fetch(s, 2, &raw, &len, &err), 0);
    assert_int_equal(len, strlen(BODY));
    assert_memory_equal(raw, BODY, len);
    free(raw);
    assert_int_equal(imap_flag(s, 2, "\\Seen", &err), 0);

    assert_int_equal(imap_fetch(s, 7, &raw, &len, &err), PL_ENOTFOUND);
    free(err);
    assert_int_equal(imap_fetch(s, 8, &raw, &len, &err), PL_ETOOBIG);
    assert_null(raw);
    free(err);
    assert_int_equal(imap_flag(s, 9, "\\Seen $ParleyRejected", &err), PL_EIO);
    assert_non_null(strstr(err, "NO [CANNOT]"));
    free(err);
    assert_int_equal(imap_flag(s, 2, "\\Seen", &err), 0);     /* still usable */

    assert_int_equal(imap_fetch(s, 5, &raw, &len, &err), PL_EIO);
    assert_non_null(strstr(err, "closed"));
    free(err);
    assert_int_equal(imap_flag(s, 5, "\\Seen", &err), PL_EIO);
    assert_non_null(strstr(err, "lost"));
    free(err);
    imap_close(s);
    fake_stop(&f);
    assert_string_equal(f.log, "SELECT \"Sent \\\"x\\\"\"\n"
                               "UID SEARCH UNSEEN\n"
                               "UID FETCH 2 (UID BODY.PEEK[])\n"
                               "UID STORE 2 +FLAGS.SILENT (\\Seen)\n"
                               "UID FETCH 7 (UID BODY.PEEK[])\n"
                               "UID FETCH 8 (UID BODY.PEEK[])\n"
                               "UID STORE 9 +FLAGS.SILENT (\\Seen $ParleyRejected)\n"
                               "UID STORE 2 +FLAGS.SILENT (\\Seen)\n"
                               "UID FETCH 5 (UID BODY.PEEK[])\n");
}

static bool answer_endless(struct fake *f, int fd, const char *tag, const char *cmd)
{
    (void)f;
    if (strncmp(cmd, "SELECT ", 7) == 0) {
        say(fd, "%s OK done\r\n", tag);
        return true;
    }
    char xs[4096];
    memset(xs, 'x', sizeof xs);
    put(fd, "* SEARCH ", 9);
    for (int i = 0; i < 20; i++)                               /* 80 KB, no line end */
        put(fd, xs, sizeof xs);
    return true;
}

static bool answer_nothing(struct fake *f, int fd, const char *tag, const char *cmd)
{
    (void)f;
    if (strncmp(cmd, "SELECT ", 7) == 0)
        say(fd, "%s OK done\r\n", tag);
    return true;                                              /* and then silence */
}

static void test_hostile(void **state)
{
    (void)state;
    struct fake f;
    struct imap *s = NULL;
    char *err = NULL;
    int64_t *uids = NULL;
    size_t n = 0;

    fake_start(&f, answer_endless);
    assert_int_equal(open_on(&f, "INBOX", NULL, &s, &err), 0);
    assert_int_equal(imap_unseen(s, &uids, &n, &err), PL_EPARSE);
    assert_null(uids);
    assert_non_null(strstr(err, "too long"));
    free(err);
    imap_close(s);
    fake_stop(&f);

    atomic_int stop = 0;
    fake_start(&f, answer_nothing);
    assert_int_equal(open_on(&f, "", &stop, &s, &err), 0);
    atomic_store(&stop, 1);
    assert_int_equal(imap_unseen(s, &uids, &n, &err), PL_EIO);
    assert_string_equal(err, "stopped");
    free(err);
    imap_close(s);
    fake_stop(&f);
    assert_string_equal(f.log, "SELECT \"INBOX\"\nUID SEARCH UNSEEN\n");

    fake_start(&f, answer_nothing);
    f.refuse_login = true;
    assert_int_equal(open_on(&f, "INBOX", NULL, &s, &err), PL_EAUTH);
    assert_null(s);
    assert_non_null(strstr(err, "log-in was refused"));
    free(err);
    fake_stop(&f);
}

static void test_urls(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(imap_check_url("imaps://u@mail.example/INBOX", &err), 0);
    assert_int_equal(imap_check_url("imap://u@mail.example", &err), 0);
    assert_int_equal(imap_check_url("pop3://u@mail.example/INBOX", &err), PL_EINVAL);
    free(err);
    assert_int_equal(imap_check_url("imap://u@mail.example/Bo%C3%AEte", &err), PL_EINVAL);
    assert_non_null(strstr(err, "ASCII"));
    free(err);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_urls),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
