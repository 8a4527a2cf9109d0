/* webhook.h — signed outbound webhook calls (HMAC-SHA256) with libcurl. */
#ifndef PARLEY_CHANNEL_WEBHOOK_H
#define PARLEY_CHANNEL_WEBHOOK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SIG_MAX 96

/* The X-Parley-Signature value: "t=<t>,v1=<hex HMAC-SHA256(secret,
 * "<t>." + body)>". */
void webhook_signature(const char *secret, int64_t t, const char *body, size_t len,
                       char out[WEBHOOK_SIG_MAX]);

/* POSTs body (JSON) to url with the signature, X-Parley-Event and
 * X-Parley-Delivery headers; *stop (optional) non-zero aborts it. Returns
 * 0 on a 2xx answer, or -1 with *err (caller frees) naming the status or
 * the transport error. */
int webhook_post(const char *url, const char *secret, const char *event, int64_t delivery_id,
                 const char *body, const atomic_int *stop, char **err);

#endif
