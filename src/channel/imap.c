/* imap.c — a small IMAP client session (RFC 3501) on a libcurl
 * connection. libcurl's own transfers cannot fetch a message without
 * marking it \Seen, and the poller must mark it only once the message is
 * filed; so libcurl only connects and logs in (CURLOPT_CONNECT_ONLY: TLS,
 * STARTTLS and every SASL mechanism it knows), and the commands after
 * that go over curl_easy_send/recv.
 *
 * A response is a line, or lines joined by literals ("{n}" then n raw
 * bytes); read_response() collects its text and the bytes of its first
 * literal, which is all FETCH BODY.PEEK[] needs. */
#include "channel/imap.h"
#include "channel/transfer.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define LINE_MAX_ (64u << 10)    /* bytes of a response's text */
#define WAIT_MS 200              /* how often a wait looks at the stop flag */
#define SILENCE_MS 120000        /* a server silent this long is given up */

struct imap {
    CURL *h;
    curl_socket_t fd;
    const atomic_int *stop;
    unsigned tag;
    bool broken;                 /* the connection cannot carry commands */
    struct buf in;               /* received; consumed up to pos */
    size_t pos;
    char errbuf[CURL_ERROR_SIZE];
};

/* One response: its text (literals left as "{n}") and its first literal. */
struct resp {
    struct buf text, lit;
    unsigned nlit;
    bool too_big;                /* the first literal was over IMAP_MESSAGE_MAX */
};

static int fail(struct imap *s, int rc, char **err, char *msg)
{
    s->broken = true;
    *err = msg;
    return rc;
}

/* Waits until the socket is ready for ev (POLLIN, POLLOUT). */
static int wait_fd(struct imap *s, short ev, char **err)
{
    for (int waited = 0; waited < SILENCE_MS; waited += WAIT_MS) {
        if (s->stop && atomic_load(s->stop))
            return fail(s, PL_EIO, err, xstrdup("stopped"));
        struct pollfd p = {.fd = s->fd, .events = ev};
        int r = poll(&p, 1, WAIT_MS);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return fail(s, PL_EIO, err, xasprintf("poll: %s", strerror(errno)));
    }
    return fail(s, PL_EIO, err, xstrdup("the server stopped answering"));
}

static int send_all(struct imap *s, const char *p, size_t len, char **err)
{
    while (len) {
        size_t n = 0;
        CURLcode rc = curl_easy_send(s->h, p, len, &n);
        if (rc == CURLE_AGAIN) {
            int w = wait_fd(s, POLLOUT, err);
            if (w)
                return w;
            continue;
        }
        if (rc != CURLE_OK)
            return fail(s, PL_EIO, err, xstrdup(curl_easy_strerror(rc)));
        p += n;
        len -= n;
    }
    return 0;
}

/* Appends what the server sends next to s->in. */
static int fill(struct imap *s, char **err)
{
    if (s->pos == s->in.len) {
        buf_reset(&s->in);
        s->pos = 0;
    } else if (s->pos) {            /* a partial line, at most LINE_MAX_ */
        memmove(s->in.ptr, s->in.ptr + s->pos, s->in.len - s->pos);
        s->in.len -= s->pos;
        s->pos = 0;
    }
    char chunk[16384];
    for (;;) {
        size_t n = 0;
        CURLcode rc = curl_easy_recv(s->h, chunk, sizeof chunk, &n);
        if (rc == CURLE_OK && n == 0)
            return fail(s, PL_EIO, err, xstrdup("the server closed the connection"));
        if (rc == CURLE_OK) {
            buf_add(&s->in, chunk, n);
            return 0;
        }
        if (rc != CURLE_AGAIN)
            return fail(s, PL_EIO, err, xstrdup(curl_easy_strerror(rc)));
        int w = wait_fd(s, POLLIN, err);
        if (w)
            return w;
    }
}

/* The n in a line that ends with "{n}" (or the client form "{n+}"). */
static bool literal_size(const struct buf *text, size_t *n)
{
    const char *t = buf_str(text), *end = t + text->len;
    if (end == t || end[-1] != '}')
        return false;
    const char *p = end - 1;
    if (p > t && p[-1] == '+')
        p--;
    const char *digits_end = p;
    while (p > t && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == digits_end || p == t || p[-1] != '{' || digits_end - p > 10)
        return false;
    *n = (size_t)strtoull(p, NULL, 10);
    return true;
}

/* Consumes a literal of n bytes; keeps the first one of a response when
 * it is not too big. */
static int read_literal(struct imap *s, struct resp *r, size_t n, char **err)
{
    bool first = r->nlit++ == 0, keep = first && n <= IMAP_MESSAGE_MAX;
    if (first && !keep)
        r->too_big = true;
    while (n) {
        if (s->pos == s->in.len) {
            int rc = fill(s, err);
            if (rc)
                return rc;
        }
        size_t k = s->in.len - s->pos < n ? s->in.len - s->pos : n;
        if (keep)
            buf_add(&r->lit, s->in.ptr + s->pos, k);
        s->pos += k;
        n -= k;
    }
    return 0;
}

static int read_response(struct imap *s, struct resp *r, char **err)
{
    buf_reset(&r->text);
    buf_reset(&r->lit);
    r->nlit = 0;
    r->too_big = false;
    for (;;) {
        const char *eol = NULL;
        while (s->pos == s->in.len ||
               !(eol = memchr(s->in.ptr + s->pos, '\n', s->in.len - s->pos))) {
            if (s->in.len - s->pos > LINE_MAX_)
                return fail(s, PL_EPARSE, err, xstrdup("a response line is too long"));
            int rc = fill(s, err);
            if (rc)
                return rc;
        }
        const char *start = s->in.ptr + s->pos;
        size_t n = (size_t)(eol - start);
        buf_add(&r->text, start, n && start[n - 1] == '\r' ? n - 1 : n);
        s->pos += n + 1;
        if (r->text.len > LINE_MAX_)
            return fail(s, PL_EPARSE, err, xstrdup("a response is too long"));
        size_t lit;
        if (!literal_size(&r->text, &lit))
            return 0;
        int rc = read_literal(s, r, lit, err);
        if (rc)
            return rc;
    }
}

typedef void untagged_fn(void *arg, struct resp *r);

/* Sends "TAG cmd", hands each untagged response to fn and returns when
 * the server completes the command; its NO or BAD is PL_EIO with *err. */
static int command(struct imap *s, const char *cmd, untagged_fn *fn, void *arg, char **err)
{
    if (s->broken) {
        *err = xstrdup("the connection was lost");
        return PL_EIO;
    }
    char tag[16];
    snprintf(tag, sizeof tag, "p%u ", ++s->tag);
    char *line = xasprintf("%s%s\r\n", tag, cmd);
    int rc = send_all(s, line, strlen(line), err);
    free(line);
    struct resp r = {BUF_INIT, BUF_INIT, 0, false};
    while (!rc && !(rc = read_response(s, &r, err))) {
        const char *t = buf_str(&r.text);
        if (strncmp(t, "* ", 2) == 0) {
            if (fn)
                fn(arg, &r);
        } else if (strncmp(t, tag, strlen(tag)) == 0) {
            t += strlen(tag);
            if (strncasecmp(t, "OK", 2) != 0) {
                *err = xasprintf("%s: %s", cmd, t);
                rc = PL_EIO;
            }
            break;
        } else if (t[0] == '+') {   /* we send no literals: out of step */
            rc = fail(s, PL_EPARSE, err, xasprintf("unexpected '%s'", t));
        }
    }
    buf_release(&r.text);
    buf_release(&r.lit);
    return rc;
}

/* The mailbox named by the URL's path as an IMAP quoted string. */
static int mailbox_of(const char *url, char **quoted, char **err)
{
    CURLU *u = curl_url();
    char *path = NULL;
    int rc = 0;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK) {
        *err = xstrdup("--imap wants imap[s]://user[:password]@host[:port]/MAILBOX");
        rc = PL_EINVAL;
    } else {
        const char *p = path[0] == '/' ? path + 1 : path;
        size_t n = strcspn(p, ";");
        while (n && p[n - 1] == '/')
            n--;
        if (!n)
            p = "INBOX", n = 5;
        struct buf b = BUF_INIT;
        buf_putc(&b, '"');
        for (size_t i = 0; i < n && !rc; i++) {
            if (p[i] < 0x20 || p[i] > 0x7e)
                rc = PL_EINVAL;
            else if (p[i] == '"' || p[i] == '\\')
                buf_putc(&b, '\\');
            buf_putc(&b, p[i]);
        }
        buf_putc(&b, '"');
        if (rc) {
            *err = xstrdup("the IMAP mailbox name must be printable ASCII");
            buf_release(&b);
        } else {
            *quoted = buf_detach(&b, NULL);
        }
    }
    curl_free(path);
    curl_url_cleanup(u);
    return rc;
}

int imap_check_url(const char *url, char **err)
{
    *err = NULL;
    char *box = NULL;
    if (strncmp(url, "imap://", 7) != 0 && strncmp(url, "imaps://", 8) != 0) {
        *err = xstrdup("--imap wants imap[s]://user[:password]@host[:port]/MAILBOX");
        return PL_EINVAL;
    }
    int rc = mailbox_of(url, &box, err);
    free(box);
    return rc;
}

/* Has libcurl connect and log in; the socket is then ours. */
static int connect_login(struct imap *s, const struct imap_config *c, char **err)
{
    curl_easy_setopt(s->h, CURLOPT_URL, c->url);
    if (c->password)
        curl_easy_setopt(s->h, CURLOPT_PASSWORD, c->password);
    curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    /* imap://: STARTTLS when offered, or always with require_tls */
    curl_easy_setopt(s->h, CURLOPT_USE_SSL,
                     c->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (c->ca_file)
        curl_easy_setopt(s->h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(s->h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(s->h, CURLOPT_SERVER_RESPONSE_TIMEOUT, 30L);
    curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
    transfer_abort_on(s->h, c->stop);
    CURLcode cc = curl_easy_perform(s->h);
    if (cc == CURLE_OK &&
        (curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &s->fd) != CURLE_OK ||
         s->fd == CURL_SOCKET_BAD))
        cc = CURLE_COULDNT_CONNECT;
    if (cc == CURLE_OK)
        return 0;
    const char *why = *s->errbuf ? s->errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_LOGIN_DENIED)
        return fail(s, PL_EAUTH, err, xasprintf("the log-in was refused (%s)", why));
    return fail(s, cc == CURLE_URL_MALFORMAT ? PL_EINVAL : PL_EIO, err,
                xstrdup(why));
}

int imap_open(const struct imap_config *c, struct imap **out, char **err)
{
    *out = NULL;
    *err = NULL;
    char *box = NULL;
    int rc = mailbox_of(c->url, &box, err);
    if (rc)
        return rc;
    struct imap *s = xcalloc(1, sizeof *s);
    s->stop = c->stop;
    s->fd = CURL_SOCKET_BAD;
    s->h = curl_easy_init();
    if (!s->h) {
        rc = fail(s, PL_ENOMEM, err, xstrdup("libcurl: cannot start a transfer"));
    } else if (!(rc = connect_login(s, c, err))) {
        char *cmd = xasprintf("SELECT %s", box);
        rc = command(s, cmd, NULL, NULL, err);
        free(cmd);
    }
    free(box);
    if (rc) {
        imap_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct uids {
    int64_t *v;
    size_t n, cap;
};

static void on_search(void *arg, struct resp *r)
{
    struct uids *u = arg;
    const char *p = buf_str(&r->text);
    if (strncasecmp(p, "* SEARCH", 8) != 0)
        return;
    for (p += 8; *p == ' ';) {
        char *end;
        long long v = strtoll(p + 1, &end, 10);
        if (end == p + 1 || v <= 0)
            break;
        if (u->n == u->cap) {
            u->cap = u->cap ? u->cap * 2 : 16;
            u->v = xrealloc(u->v, u->cap * sizeof *u->v);
        }
        u->v[u->n++] = v;
        p = end;
    }
}

int imap_unseen(struct imap *s, int64_t **uids, size_t *n, char **err)
{
    struct uids u = {0};
    *err = NULL;
    int rc = command(s, "UID SEARCH UNSEEN", on_search, &u, err);
    if (rc) {
        free(u.v);
        u = (struct uids){0};
    } else if (u.n) {
        qsort(u.v, u.n, sizeof *u.v, cmp_i64);
    }
    *uids = u.v;
    *n = u.n;
    return rc;
}

struct fetched {
    int64_t uid;
    bool found, too_big;
    struct buf raw;
};

/* Takes "* n FETCH (UID uid BODY[] {len}...)"; skips other FETCH
 * responses (flag changes the server reports on its own). */
static void on_fetch(void *arg, struct resp *r)
{
    struct fetched *f = arg;
    const char *t = buf_str(&r->text), *u = strstr(t, "UID ");
    if (f->found || !strstr(t, " FETCH (") || !strstr(t, "BODY[] {") || !u ||
        strtoll(u + 4, NULL, 10) != f->uid || !r->nlit)
        return;
    f->found = true;
    f->too_big = r->too_big;
    struct buf swap = f->raw;
    f->raw = r->lit;
    r->lit = swap;
}

int imap_fetch(struct imap *s, int64_t uid, char **raw, size_t *len, char **err)
{
    struct fetched f = {.uid = uid, .raw = BUF_INIT};
    *raw = NULL;
    *len = 0;
    *err = NULL;
    char *cmd = xasprintf("UID FETCH %" PRId64 " (UID BODY.PEEK[])", uid);
    int rc = command(s, cmd, on_fetch, &f, err);
    free(cmd);
    if (!rc && !f.found) {
        *err = xasprintf("message %" PRId64 " is gone", uid);
        rc = PL_ENOTFOUND;
    } else if (!rc && f.too_big) {
        *err = xasprintf("message %" PRId64 " is over %u bytes", uid, IMAP_MESSAGE_MAX);
        rc = PL_ETOOBIG;
    }
    if (rc)
        buf_release(&f.raw);
    else
        *raw = buf_detach(&f.raw, len);
    return rc;
}

int imap_flag(struct imap *s, int64_t uid, const char *flags, char **err)
{
    *err = NULL;
    char *cmd = xasprintf("UID STORE %" PRId64 " +FLAGS.SILENT (%s)", uid, flags);
    int rc = command(s, cmd, NULL, NULL, err);
    free(cmd);
    return rc;
}

void imap_close(struct imap *s)
{
    if (!s)
        return;
    /* libcurl logs out when it closes; on a lost connection it must not
     * wait for an answer */
    if (s->broken && s->fd != CURL_SOCKET_BAD)
        shutdown(s->fd, SHUT_RDWR);
    if (s->h)
        curl_easy_cleanup(s->h);
    buf_release(&s->in);
    free(s);
}
