/* smtp.c — one message out over SMTP with libcurl: envelope, optional
 * STARTTLS/implicit TLS and AUTH, and the server's verdict. */
#include "channel/smtp.h"
#include "channel/transfer.h"
#include "base/xalloc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

int smtp_send(const struct smtp_config *c, const char *from, const char *to, const char *raw,
              size_t len, char **err, bool *permanent)
{
    *err = NULL;
    *permanent = false;
    CURL *h = curl_easy_init();
    if (!h) {
        *err = xstrdup("libcurl: cannot start a transfer");
        return -1;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    char *mail_from = xasprintf("<%s>", from), *rcpt_to = xasprintf("<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_to);
    struct upload up = {raw, len};
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 60L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USE_SSL, c->require_tls ? (long)CURLUSESSL_ALL
                                                        : (long)CURLUSESSL_TRY);
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    transfer_abort_on(h, c->stop);
    if (c->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        *permanent = code >= 500 && code < 600;
        if (code)
            *err = xasprintf("SMTP %ld: %s", code, *errbuf ? errbuf : curl_easy_strerror(rc));
        else
            *err = xasprintf("SMTP: %s", *errbuf ? errbuf : curl_easy_strerror(rc));
    }
    curl_slist_free_all(rcpt);
    free(mail_from);
    free(rcpt_to);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : -1;
}
