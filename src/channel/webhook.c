/* webhook.c — a webhook call: the body signed with the subscription's
 * secret (so the receiver knows it came from Parley and was not replayed
 * long after: the time is signed too), POSTed with libcurl. */
#include "channel/webhook.h"
#include "channel/transfer.h"
#include "base/clock.h"
#include "base/xalloc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void webhook_signature(const char *secret, int64_t t, const char *body, size_t len,
                       char out[WEBHOOK_SIG_MAX])
{
    char ts[24];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    crypto_auth_hmacsha256_state st;
    snprintf(ts, sizeof ts, "%" PRId64, t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, WEBHOOK_SIG_MAX, "t=%s,v1=%s", ts, hex);
}

/* Answers are not kept: only the status matters. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

int webhook_post(const char *url, const char *secret, const char *event, int64_t delivery_id,
                 const char *body, const atomic_int *stop, char **err)
{
    *err = NULL;
    CURL *h = curl_easy_init();
    if (!h) {
        *err = xstrdup("libcurl: cannot start a transfer");
        return -1;
    }
    size_t len = strlen(body);
    char sig[WEBHOOK_SIG_MAX], errbuf[CURL_ERROR_SIZE] = "";
    webhook_signature(secret, clock_now_ms() / 1000, body, len, sig);
    char *h_sig = xasprintf("X-Parley-Signature: %s", sig);
    char *h_event = xasprintf("X-Parley-Event: %s", event ? event : "unknown");
    char *h_id = xasprintf("X-Parley-Delivery: %" PRId64, delivery_id);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, h_event);
    hdr = curl_slist_append(hdr, h_id);
    hdr = curl_slist_append(hdr, "User-Agent: Parley-Webhook/1");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    transfer_abort_on(h, stop);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK)
        *err = xasprintf("%s", *errbuf ? errbuf : curl_easy_strerror(rc));
    else if (code < 200 || code > 299)
        *err = xasprintf("HTTP %ld", code);
    curl_slist_free_all(hdr);
    free(h_sig);
    free(h_event);
    free(h_id);
    curl_easy_cleanup(h);
    return *err ? -1 : 0;
}
